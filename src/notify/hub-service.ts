/**
 * Hub subscriptions (`POST /hub`, `GET /hub/{id}`, `DELETE /hub/{id}` of each Sonata management API), kept in the
 * store port so several gateway instances share them. A subscription belongs to the partner and API it was made
 * on: looking it up from another partner or API finds nothing, exactly as if it did not exist.
 */
import { createHash, randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { isExactlyAllowed, isPublicAddress } from '../outbound/callback-guard.js';
import { StoreConflictError, type Store } from '../state/store.js';

/** One registered listener. */
export interface HubSubscription {
  id: string;
  partnerId: string;
  /** Management API the subscription was made on (`productOrderingManagement`). */
  apiName: string;
  /** Sonata release the partner speaks on that API: decides the listener URL and the event shape. */
  release: string;
  /** The Buyer's base URL, as registered. */
  callback: string;
  /** The filter exactly as registered, echoed in `EventSubscription`. */
  query?: string;
  /** Event types the subscriber wants (the release's names); null = every event of the API. */
  eventTypes: string[] | null;
  /** ISO timestamp. */
  createdAt: string;
}

/** A registration the hub refuses; carries one Sonata 422 issue for the caller to render. */
export class HubValidationError extends Error {
  readonly issue: { code: 'invalidValue' | 'invalidFormat' | 'missingProperty'; propertyPath: string; reason: string };

  constructor(issue: HubValidationError['issue']) {
    super(`${issue.propertyPath}: ${issue.reason}`);
    this.name = 'HubValidationError';
    this.issue = issue;
  }
}

/** Parameters of {@link HubService.register}. */
export interface HubRegistration {
  partnerId: string;
  apiName: string;
  release: string;
  /** `EventSubscriptionInput.callback` as received (validated here). */
  callback: unknown;
  /** `EventSubscriptionInput.query` as received (validated here). */
  query?: unknown;
  /** The partner's allowed callback hosts: `host`, `*.domain` (any subdomain, not the domain itself), each with an optional `:port`. */
  allowedCallbackHosts: readonly string[];
  /** Event types of the API in the partner's release; a filter naming anything else is refused. */
  knownEventTypes: readonly string[];
  /** Subscriptions the partner may hold on this API (`notifications.maxSubscriptions`); default unlimited. */
  maxSubscriptions?: number;
}

export interface HubService {
  /**
   * Validates and stores a subscription; rejects with {@link HubValidationError} for a bad callback or query, or
   * when the partner already holds `maxSubscriptions` on the API. The same callback and query registered again
   * by the same partner on the same API answer the existing subscription instead of adding a second one.
   */
  register(p: HubRegistration): Promise<HubSubscription>;
  /** The partner's subscription on that API, or null (also for another partner's or another API's id). */
  get(partnerId: string, apiName: string, id: string): Promise<HubSubscription | null>;
  /** Deletes the partner's subscription; false when there was none to delete. */
  remove(partnerId: string, apiName: string, id: string): Promise<boolean>;
  /** The partner's subscriptions on the API whose filter lets `eventType` (a release's name) through, oldest first. */
  subscribersFor(partnerId: string, apiName: string, eventType: string): Promise<HubSubscription[]>;
}

/** Options of {@link createHubService}. */
export interface HubServiceOptions {
  /** Where subscriptions live (in-process or Redis). */
  store: Store;
  /** Clock for `createdAt`; defaults to the system clock. */
  now?: () => Date;
}

const MAX_CALLBACK_LENGTH = 2048;
const MAX_QUERY_LENGTH = 2048;

/** The `EventSubscription` body Sonata answers `POST /hub` and `GET /hub/{id}` with. */
export function toEventSubscription(sub: HubSubscription): { id: string; callback: string; query?: string } {
  return { id: sub.id, callback: sub.callback, ...(sub.query !== undefined && { query: sub.query }) };
}

/** Creates the hub over the store port; nothing is read or written until a method is called. */
export function createHubService(opts: HubServiceOptions): HubService {
  const { store } = opts;
  const now = opts.now ?? (() => new Date());
  // Encoded so that a partner or API name containing ':' can never alias another one's keys.
  const scope = (partnerId: string, apiName: string) => `${encodeURIComponent(partnerId)}:${encodeURIComponent(apiName)}`;
  const docKey = (partnerId: string, apiName: string, id: string) => `notify:hub:${scope(partnerId, apiName)}:${encodeURIComponent(id)}`;
  const indexKey = (partnerId: string, apiName: string) => `notify:hub-index:${scope(partnerId, apiName)}`;
  // callback + query -> the id registered for them, so an identical registration finds the first one
  const sameKey = (sub: Pick<HubSubscription, 'partnerId' | 'apiName' | 'callback' | 'query'>) =>
    `notify:hub-same:${scope(sub.partnerId, sub.apiName)}:${createHash('sha256')
      .update(JSON.stringify([sub.callback, sub.query ?? null]))
      .digest('base64url')}`;
  const tooMany = (max: number, apiName: string) =>
    invalid(
      'invalidValue',
      '/callback',
      `this partner already holds ${max} subscriptions on ${apiName}, the most allowed; delete one first`,
    );

  async function removeSubscription(partnerId: string, apiName: string, id: string): Promise<boolean> {
    const sub = await store.getJson<HubSubscription>(docKey(partnerId, apiName, id));
    // free callback + query first: while the document still exists an identical registration returns it rather
    // than claiming the key, so the claim removed here is always this subscription's
    if (sub && (await store.get(sameKey(sub))) === id) await store.del(sameKey(sub));
    const existed = await store.del(docKey(partnerId, apiName, id));
    await store.indexRemove(indexKey(partnerId, apiName), id);
    return existed;
  }

  return {
    async register(p) {
      const callback = validateCallback(p.callback, p.allowedCallbackHosts);
      const { query, eventTypes } = validateQuery(p.query, p.knownEventTypes);
      const created = now();
      const sub: HubSubscription = {
        id: randomUUID(),
        partnerId: p.partnerId,
        apiName: p.apiName,
        release: p.release,
        callback,
        ...(query !== undefined && { query }),
        eventTypes,
        createdAt: created.toISOString(),
      };
      const max = p.maxSubscriptions ?? Number.POSITIVE_INFINITY;
      const index = indexKey(p.partnerId, p.apiName);
      const same = sameKey(sub);
      const existingId = await store.get(same);
      if (existingId !== null) {
        const existing = await store.getJson<HubSubscription>(docKey(p.partnerId, p.apiName, existingId));
        if (existing) return existing;
      }
      if ((await store.indexCount(index)) >= max) throw tooMany(max, p.apiName);
      // The document first: an index entry without a document is dropped on read, the reverse would be invisible.
      await store.setJson(docKey(p.partnerId, p.apiName, sub.id), sub);
      // claim callback + query for this id (atomically, against a concurrent identical registration on any instance)
      if (!(await store.compareAndSet(same, existingId, sub.id))) {
        await store.del(docKey(p.partnerId, p.apiName, sub.id));
        const winner = await store.get(same);
        const existing = winner === null ? null : await store.getJson<HubSubscription>(docKey(p.partnerId, p.apiName, winner));
        if (existing) return existing;
        throw new StoreConflictError(same, 1);
      }
      await store.indexAdd(index, sub.id, created.getTime());
      // concurrent registrations may each have seen room for one more: the ones past the cap withdraw
      if ((await store.indexCount(index)) > max) {
        await removeSubscription(p.partnerId, p.apiName, sub.id);
        throw tooMany(max, p.apiName);
      }
      return sub;
    },

    async get(partnerId, apiName, id) {
      return store.getJson<HubSubscription>(docKey(partnerId, apiName, id));
    },

    async remove(partnerId, apiName, id) {
      return removeSubscription(partnerId, apiName, id);
    },

    async subscribersFor(partnerId, apiName, eventType) {
      const index = indexKey(partnerId, apiName);
      const ids = await store.indexRange(index);
      const docs = await Promise.all(ids.map((id) => store.getJson<HubSubscription>(docKey(partnerId, apiName, id))));
      const found: HubSubscription[] = [];
      for (const [i, sub] of docs.entries()) {
        if (sub === null) {
          // left behind by a remove or register interrupted half-way
          await store.indexRemove(index, ids[i] as string);
          continue;
        }
        if (sub.eventTypes === null || sub.eventTypes.includes(eventType)) found.push(sub);
      }
      return found;
    },
  };
}

function invalid(code: HubValidationError['issue']['code'], propertyPath: string, reason: string): HubValidationError {
  return new HubValidationError({ code, propertyPath, reason });
}

function validateCallback(value: unknown, allowedHosts: readonly string[]): string {
  if (value === undefined || value === null) throw invalid('missingProperty', '/callback', 'callback is required');
  if (typeof value !== 'string') throw invalid('invalidFormat', '/callback', 'callback must be a string (an absolute http or https URL)');
  if (value.length > MAX_CALLBACK_LENGTH)
    throw invalid('invalidValue', '/callback', `callback must not be longer than ${MAX_CALLBACK_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid('invalidFormat', '/callback', 'callback must be an absolute http or https URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('invalidValue', '/callback', 'callback must use http or https');
  if (url.username !== '' || url.password !== '') throw invalid('invalidValue', '/callback', 'callback must not contain credentials');
  // `https://h/#` parses with an empty hash, so look at the text too
  if (value.includes('#')) throw invalid('invalidValue', '/callback', 'callback must not contain a fragment');
  if (!isAllowedHost(url, allowedHosts))
    throw invalid('invalidValue', '/callback', `callback host ${url.host} is not allowed for this partner`);
  // an address literal is judged now (names are resolved and judged at delivery): a private or loopback one only
  // when its exact host:port is allow-listed, so a bare `127.0.0.1` entry does not open Redis or our own port
  if (isIP(url.hostname.replace(/^\[(.*)\]$/, '$1')) && !isPublicAddress(url.hostname) && !isExactlyAllowed(url, allowedHosts)) {
    throw invalid(
      'invalidValue',
      '/callback',
      `callback address ${url.host} is private or loopback; only an exactly allow-listed host:port may be`,
    );
  }
  return value;
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };
const HOST_PATTERN = /^(\*\.)?(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/;

/**
 * `host` matches that host exactly; `*.example.com` matches any name below example.com; a `:port` suffix limits the
 * entry to that port (the scheme's default port counts), without one any port matches. Case-insensitive.
 */
export function isAllowedHost(url: URL, allowedHosts: readonly string[]): boolean {
  const host = url.hostname.toLowerCase();
  const port = url.port || DEFAULT_PORTS[url.protocol] || '';
  return allowedHosts.some((entry) => {
    const m = HOST_PATTERN.exec(entry.trim().toLowerCase());
    if (!m) return false;
    const [, wildcard, name = '', entryPort] = m;
    if (entryPort !== undefined && entryPort !== port) return false;
    return wildcard ? host.endsWith(`.${name}`) : host === name;
  });
}

/** `eventType=a,b` (spaces tolerated, several `&`-joined eventType clauses are merged); empty = no filter. */
function validateQuery(value: unknown, known: readonly string[]): { query?: string; eventTypes: string[] | null } {
  if (value === undefined || value === null) return { eventTypes: null };
  if (typeof value !== 'string') throw invalid('invalidFormat', '/query', 'query must be a string such as "eventType=a,b"');
  if (value.length > MAX_QUERY_LENGTH)
    throw invalid('invalidValue', '/query', `query must not be longer than ${MAX_QUERY_LENGTH} characters`);
  if (value.trim() === '') return { query: value, eventTypes: null };
  const types: string[] = [];
  for (const clause of value.split('&')) {
    const eq = clause.indexOf('=');
    const key = eq < 0 ? clause.trim() : clause.slice(0, eq).trim();
    if (eq < 0 || key !== 'eventType') throw invalid('invalidValue', '/query', 'query may only filter on eventType, as "eventType=a,b"');
    let list: string;
    try {
      list = decodeURIComponent(clause.slice(eq + 1));
    } catch {
      throw invalid('invalidValue', '/query', 'query is not correctly percent-encoded');
    }
    for (const raw of list.split(',')) {
      const type = raw.trim();
      if (type === '') throw invalid('invalidValue', '/query', 'query names an empty event type');
      if (!known.includes(type)) {
        throw invalid('invalidValue', '/query', `unknown event type "${type.slice(0, 100)}" (known: ${known.join(', ')})`.slice(0, 255));
      }
      if (!types.includes(type)) types.push(type);
    }
  }
  return { query: value, eventTypes: types };
}
