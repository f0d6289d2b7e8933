/**
 * Hub subscriptions of the simulated seller and the notifications it posts to them: callback + the Buyer-side
 * notification API base + `/listener/<eventType>`, authenticated with a bearer token from the buyer's own token
 * endpoint (client credentials). Deliveries run one at a time in event order, with a few quick retries.
 */
import { errorMessage } from '../../../src/json/unknown-values.js';
import { randomUUID } from 'node:crypto';
import type { NotificationTarget } from './seller-profile.js';

/** Where the seller gets its token for calling buyers' listeners. */
export interface NotificationAuth {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
}

export interface HubSubscription {
  id: string;
  /** management API the subscription was made on */
  api: string;
  callback: string;
  query?: string;
  /** event types the query lets through; null = all */
  eventTypes: string[] | null;
}

/** One event to send: the release-shaped body is built by the caller. */
export interface SellerEvent {
  /** the management API (quoteManagement, productOrderingManagement, or a feature's, e.g. customerBillManagement) */
  api: string;
  eventType: string;
  /** the `event` payload */
  payload: Record<string, unknown>;
}

/** A delivery attempt as tests and the `_sim` log see it. */
export interface DeliveryRecord {
  url: string;
  eventType: string;
  body: unknown;
  status?: number;
  error?: string;
}

export interface SellerNotifier {
  register(api: string, callback: string, query: string | undefined): HubSubscription;
  get(api: string, id: string): HubSubscription | undefined;
  remove(api: string, id: string): boolean;
  list(): HubSubscription[];
  /** queues the event for every matching subscription (in order) */
  publish(e: SellerEvent): void;
  setAuth(auth: NotificationAuth | undefined): void;
  /** resolves when every queued delivery has been attempted */
  idle(): Promise<void>;
  deliveries(): readonly DeliveryRecord[];
  stop(): void;
}

export interface SellerNotifierOptions {
  /** management API -> the Buyer notification API its events go to */
  targets: Readonly<Record<string, NotificationTarget>>;
  now: () => Date;
  auth?: NotificationAuth;
  /** waits before retries of one delivery (default [50, 250]) */
  retryDelaysMs?: readonly number[];
  timeoutMs?: number;
  onError?: (message: string, meta: Record<string, unknown>) => void;
}

/** Hubs and notification delivery of the simulated seller; nothing is sent until an event is published. */
export function createSellerNotifier(opts: SellerNotifierOptions): SellerNotifier {
  const hubs = new Map<string, HubSubscription>();
  const log: DeliveryRecord[] = [];
  let auth = opts.auth;
  let token: { value: string; expiresAt: number } | undefined;
  let chain: Promise<void> = Promise.resolve();
  let stopped = false;
  const retryDelays = opts.retryDelaysMs ?? [50, 250];
  const timeoutMs = opts.timeoutMs ?? 5000;

  const getToken = async (fresh: boolean): Promise<string | undefined> => {
    if (!auth) return undefined;
    if (!fresh && token && token.expiresAt > Date.now() + 5000) return token.value;
    const basic = Buffer.from(`${encodeURIComponent(auth.clientId)}:${encodeURIComponent(auth.clientSecret)}`).toString('base64');
    const res = await fetch(auth.tokenUrl, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number };
    if (res.status !== 200 || !body.access_token) throw new Error(`buyer token endpoint answered ${res.status}`);
    token = { value: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 60) * 1000 };
    return token.value;
  };

  const post = async (url: string, body: unknown, fresh: boolean): Promise<number> => {
    const bearer = await getToken(fresh);
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json;charset=utf-8',
        ...(bearer && { authorization: `Bearer ${bearer}` }),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    return res.status;
  };

  const deliver = async (url: string, eventType: string, body: unknown): Promise<void> => {
    const record: DeliveryRecord = { url, eventType, body };
    log.push(record);
    if (log.length > 1000) log.splice(0, log.length - 1000); // recent deliveries only: a demo seller runs for days
    for (let attempt = 0; attempt <= retryDelays.length && !stopped; attempt++) {
      try {
        let status = await post(url, body, false);
        // an expired or revoked token: one fresh token, then judge the answer
        if (status === 401) status = await post(url, body, true);
        record.status = status;
        delete record.error;
        if (status >= 200 && status < 300) return;
        if (status >= 400 && status < 500) break; // the listener refuses this event; repeating will not help
      } catch (err) {
        record.error = errorMessage(err);
      }
      const wait = retryDelays[attempt];
      if (wait !== undefined) await new Promise((r) => setTimeout(r, wait).unref());
    }
    opts.onError?.('notification not delivered', { url, eventType, status: record.status, error: record.error });
  };

  return {
    register(api, callback, query) {
      const sub: HubSubscription = { id: randomUUID(), api, callback, query, eventTypes: parseEventTypes(query) };
      hubs.set(sub.id, sub);
      return sub;
    },
    get: (api, id) => {
      const sub = hubs.get(id);
      return sub?.api === api ? sub : undefined;
    },
    remove(api, id) {
      const sub = hubs.get(id);
      if (!sub || sub.api !== api) return false;
      return hubs.delete(id);
    },
    list: () => [...hubs.values()],
    publish(e) {
      const target = opts.targets[e.api];
      if (!target) return;
      for (const sub of hubs.values()) {
        if (sub.api !== e.api || (sub.eventTypes && !sub.eventTypes.includes(e.eventType))) continue;
        const url = `${sub.callback.replace(/\/$/, '')}/mefApi/sonata/${target.api}/${target.version}/listener/${e.eventType}`;
        const body = {
          eventId: randomUUID(),
          eventTime: opts.now().toISOString(),
          eventType: e.eventType,
          event: e.payload,
        };
        chain = chain.then(() => (stopped ? undefined : deliver(url, e.eventType, body)));
      }
    },
    setAuth(next) {
      auth = next;
      token = undefined;
    },
    idle: () => chain,
    deliveries: () => log,
    stop() {
      stopped = true;
    },
  };
}

/** `eventType=a,b` (TMF hub query) -> ['a', 'b']; no query -> null (every event). */
function parseEventTypes(query: string | undefined): string[] | null {
  if (!query) return null;
  const types: string[] = [];
  for (const part of query.split('&')) {
    const [key, value] = part.split('=');
    if (key?.trim() === 'eventType' && value)
      types.push(
        ...value
          .split(',')
          .map((v) => v.trim())
          .filter(Boolean),
      );
  }
  return types.length ? types : null;
}
