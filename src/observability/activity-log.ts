/**
 * The activity log over the gateway's store (src/observability/activity.ts is its contract): one JSON document per
 * request (`activity:r:<correlationId>`, with a TTL) and one newest-first index per partner (`activity:p:<partnerId>`,
 * scored by start time), so it works in process and, on Redis, across instances.
 *
 * Capture is per request: the pipeline begins an {@link ActivityCapture} for a partner (or buyer-side) request, runs
 * the operation inside it (`capture.run`, an AsyncLocalStorage scope), and the clients that leave the process (legacy
 * BSS, sellers) and the notifier add their hops to `log.current()`. When the request finishes the whole record is
 * written with one store write (and one index add). Bodies are redacted, serialized once when the hop is taken and
 * size-capped; the record's JSON is assembled from those pieces, so no body is serialized twice.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from './logger.js';
import type { Store } from '../state/store.js';
import type { ActivityHop, ActivityLog, ActivityQuery, ActivityRecord } from './activity.js';
import { createRedactor, redactQuery, type RedactionSettings } from './redact-body.js';

/** The `activity` section of the config. */
export interface ActivitySettings {
  readonly enabled: boolean;
  /** how long a record is kept */
  readonly ttlSeconds: number;
  /** a body larger than this (UTF-8 JSON) is kept as `{ truncated: true, bytes }` */
  readonly maxBodyBytes: number;
  /** records kept per partner (the oldest are dropped); also the most the all-partners list shows */
  readonly maxPerPartner: number;
  readonly redact: RedactionSettings;
}

/** One request being captured. Cheap to create; every body is redacted and serialized when it is given. */
export interface ActivityCapture {
  readonly correlationId: string;
  partnerId?: string;
  release?: string;
  api?: string;
  operationId?: string;
  /** the caller's request (the record's first hop); the body may be given later, once it is parsed */
  request(fields: { method: string; url: string; body?: unknown }): void;
  /** the body the gateway answered with (the record's last hop) */
  answer(body: unknown): void;
  /** a hop between the two (legacy BSS, seller, notification), in the order they happen */
  hop(hop: Omit<ActivityHop, 'at'> & { at?: string }): void;
  /** runs `fn` with this capture as {@link CapturingActivityLog.current} (also in everything `fn` awaits) */
  run<T>(fn: () => T): T;
}

/** The activity log the gateway builds: the contract plus the per-request capture. */
export interface CapturingActivityLog extends ActivityLog {
  readonly settings: ActivitySettings;
  /** starts capturing a request; undefined when capture is off */
  begin(correlationId: string): ActivityCapture | undefined;
  /** the capture of the request whose code is running now, if any */
  current(): ActivityCapture | undefined;
  /** writes the captured request (status, duration); never rejects (a store failure is logged) */
  finish(capture: ActivityCapture, outcome: { status: number }): Promise<void>;
}

/** Options of {@link createActivityLog}. */
export interface ActivityLogOptions {
  store: Store;
  settings: ActivitySettings;
  logger: Logger;
  /** clock in epoch ms (default Date.now) */
  now?: () => number;
}

const RECORD = 'activity:r:';
const INDEX = 'activity:p:';
/** partners that have records (member: partner id), so the all-partners list knows which indexes to read */
const PARTNERS = 'activity:partners';
/** the index of requests no partner is known for (a buyer-side request refused before a seller was chosen) */
const NO_PARTNER = '_';
const DEFAULT_LIMIT = 50;

/** A stored document: a record, or hops appended before the record was written (`pending`). */
type StoredRecord = ActivityRecord | { correlationId: string; pending: true; hops: ActivityHop[] };

/** The activity log that records nothing (capture off): no serialization, no store calls. */
export const DISABLED_ACTIVITY_LOG: CapturingActivityLog = Object.freeze({
  enabled: false,
  settings: { enabled: false, ttlSeconds: 1, maxBodyBytes: 0, maxPerPartner: 0, redact: { keys: [], pointers: [] } },
  begin: () => undefined,
  current: () => undefined,
  finish: async () => undefined,
  record: async () => undefined,
  appendHop: async () => undefined,
  get: async () => undefined,
  list: async () => [],
});

/** Serializes bodies and hops once: redacted, query values redacted, bodies over the cap as `{truncated, bytes}`. */
class HopSerializer {
  private readonly redact: (body: unknown) => unknown;
  readonly redactedKeys: ReadonlySet<string>;

  constructor(private readonly settings: ActivitySettings) {
    this.redact = createRedactor(settings.redact);
    this.redactedKeys = new Set(settings.redact.keys.map((k) => k.toLowerCase()));
  }

  /** The body as stored JSON: redacted, or `{truncated, bytes}` over the cap; undefined for no body. */
  bodyJson(body: unknown): string | undefined {
    if (body === undefined) return undefined;
    const text = JSON.stringify(this.redact(body));
    if (text === undefined) return undefined;
    if (text.length * 3 <= this.settings.maxBodyBytes) return text;
    const bytes = Buffer.byteLength(text);
    return bytes > this.settings.maxBodyBytes ? JSON.stringify({ truncated: true, bytes }) : text;
  }

  hopJson(hop: Omit<ActivityHop, 'body'> & { body?: unknown }): string {
    const { body, ...rest } = hop;
    const head = JSON.stringify(rest.url === undefined ? rest : { ...rest, url: redactQuery(rest.url, this.redactedKeys) });
    return withBody(head, this.bodyJson(body));
  }
}

/** One request being captured: its hops are serialized as they come, the record assembled from them at the end. */
class RequestCapture implements ActivityCapture {
  partnerId?: string;
  release?: string;
  api?: string;
  operationId?: string;
  readonly startedMs: number;
  readonly started = performance.now();
  method = '';
  path = '';
  private requestHead?: { method: string; url: string };
  private requestBody?: string;
  private answerBody?: string;
  readonly hops: string[] = [];

  constructor(
    readonly correlationId: string,
    private readonly serializer: HopSerializer,
    private readonly scope: AsyncLocalStorage<ActivityCapture>,
    now: () => number,
  ) {
    this.startedMs = now();
  }

  request(fields: { method: string; url: string; body?: unknown }): void {
    this.method = fields.method;
    this.path = fields.url.split('?')[0]!;
    this.requestHead = { method: fields.method, url: redactQuery(fields.url, this.serializer.redactedKeys) };
    if (fields.body !== undefined) this.requestBody = this.serializer.bodyJson(fields.body);
  }

  answer(body: unknown): void {
    this.answerBody = this.serializer.bodyJson(body);
  }

  hop(hop: Omit<ActivityHop, 'at'> & { at?: string }): void {
    const { kind, at, ...rest } = hop;
    this.hops.push(this.serializer.hopJson({ kind, at: at ?? new Date().toISOString(), ...rest }));
  }

  run<T>(fn: () => T): T {
    return this.scope.run(this, fn);
  }

  /** The record's JSON, assembled from the serialized hops. */
  toJson(status: number): string {
    const ms = Math.round((performance.now() - this.started) * 10) / 10;
    const startedAt = new Date(this.startedMs).toISOString();
    const first = withBody(JSON.stringify({ kind: 'partner-request', at: startedAt, ...this.requestHead }), this.requestBody);
    const last = withBody(JSON.stringify({ kind: 'partner-response', at: new Date().toISOString(), status, ms }), this.answerBody);
    const head = JSON.stringify({
      correlationId: this.correlationId,
      partnerId: this.partnerId,
      release: this.release,
      api: this.api,
      operationId: this.operationId,
      method: this.method,
      path: this.path,
      status,
      startedAt,
      ms,
    });
    return `${head.slice(0, -1)},"hops":[${[first, ...this.hops, last].join(',')}]}`;
  }
}

/** The records and the per-partner indexes in the store: write (and trim now and then), read, list. */
class RecordStore {
  private readonly ttlMs: number;
  private readonly knownPartners = new Set<string>();
  private readonly written = new Map<string, number>();
  /** trimming costs a count and a range read: done every tenth of the cap, so the cap holds within 10 % between trims */
  private readonly trimEvery: number;

  constructor(
    private readonly store: Store,
    private readonly settings: ActivitySettings,
    private readonly now: () => number,
  ) {
    this.ttlMs = settings.ttlSeconds * 1000;
    this.trimEvery = Math.max(1, Math.floor(settings.maxPerPartner / 10));
  }

  async write(correlationId: string, partnerId: string | undefined, startedMs: number, json: string): Promise<void> {
    const { store, ttlMs } = this;
    const key = RECORD + correlationId;
    if (!(await store.set(key, json, { ttlMs, ifAbsent: true }))) {
      // hops appended before the record (a notification delivered before the request's end was written), or a
      // correlation id the caller sent again: the newer record wins, keeping hops that were waiting for it
      const next = JSON.parse(json) as ActivityRecord;
      await store.updateJson<StoredRecord>(
        key,
        (cur) => (cur && 'pending' in cur ? { ...next, hops: [...next.hops, ...cur.hops] } : next),
        { ttlMs },
      );
    }
    const partner = partnerId ?? NO_PARTNER;
    await store.indexAdd(INDEX + partner, correlationId, startedMs);
    if (!this.knownPartners.has(partner)) {
      await store.indexAdd(PARTNERS, partner, startedMs);
      this.knownPartners.add(partner);
    }
    const count = (this.written.get(partner) ?? 0) + 1;
    this.written.set(partner, count);
    if (count % this.trimEvery === 0) await this.trim(partner);
  }

  /** Drops index entries whose record expired and the oldest records over the cap. */
  private async trim(partner: string): Promise<void> {
    const { store } = this;
    const key = INDEX + partner;
    for (const id of await store.indexRange(key, { maxScore: this.now() - this.ttlMs })) await store.indexRemove(key, id);
    const excess = (await store.indexCount(key)) - this.settings.maxPerPartner;
    if (excess <= 0) return;
    for (const id of await store.indexRange(key, { limit: excess })) {
      await store.indexRemove(key, id);
      await store.del(RECORD + id);
    }
  }

  /** Adds a hop to a written record, or keeps it (pending) for the record that is not written yet. */
  async appendHop(correlationId: string, hop: ActivityHop): Promise<void> {
    const { store, ttlMs } = this;
    const key = RECORD + correlationId;
    const append = (cur: StoredRecord | null): StoredRecord | undefined => (cur ? { ...cur, hops: [...cur.hops, hop] } : undefined);
    if (await store.updateJson<StoredRecord>(key, append)) return;
    // the record is not written yet (or expired): keep the hop for it, for as long as a record would live
    if (await store.set(key, JSON.stringify({ correlationId, pending: true, hops: [hop] }), { ttlMs, ifAbsent: true })) return;
    await store.updateJson<StoredRecord>(key, append);
  }

  readonly get = async (correlationId: string): Promise<ActivityRecord | undefined> => {
    const stored = await this.store.getJson<StoredRecord>(RECORD + correlationId);
    return stored && !('pending' in stored) ? stored : undefined;
  };

  async listPartner(partner: string, limit: number): Promise<ActivityRecord[]> {
    const ids = await this.store.indexRange(INDEX + partner, { reverse: true, limit, minScore: this.now() - this.ttlMs });
    const records = await Promise.all(ids.map(this.get));
    // a record another partner's request overwrote (same correlation id) is not this partner's
    return records.filter((r): r is ActivityRecord => !!r && (r.partnerId ?? NO_PARTNER) === partner);
  }

  async list(query: ActivityQuery): Promise<ActivityRecord[]> {
    const limit = Math.max(1, Math.min(query.limit ?? DEFAULT_LIMIT, this.settings.maxPerPartner));
    if (query.partnerId) return this.listPartner(query.partnerId, limit);
    const partners = await this.store.indexRange(PARTNERS);
    const all = (await Promise.all(partners.map((p) => this.listPartner(p, limit)))).flat();
    return all.sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, limit);
  }
}

/** Creates the activity log; with `settings.enabled` false it is {@link DISABLED_ACTIVITY_LOG}. */
export function createActivityLog(opts: ActivityLogOptions): CapturingActivityLog {
  if (!opts.settings.enabled) return DISABLED_ACTIVITY_LOG;
  const { settings } = opts;
  const now = opts.now ?? Date.now;
  const serializer = new HopSerializer(settings);
  const records = new RecordStore(opts.store, settings, now);
  const scope = new AsyncLocalStorage<ActivityCapture>();
  const logger = opts.logger.child({ component: 'activity' });

  return {
    enabled: true,
    settings,
    begin: (correlationId) => new RequestCapture(correlationId, serializer, scope, now),
    current: () => scope.getStore(),
    async finish(capture, outcome) {
      try {
        if (!(capture instanceof RequestCapture)) throw new TypeError('not a capture this activity log began');
        await records.write(capture.correlationId, capture.partnerId, capture.startedMs, capture.toJson(outcome.status));
      } catch (err) {
        logger.warn('activity record not written', { correlationId: capture.correlationId, error: String(err) });
      }
    },
    async record(record) {
      const { hops, ...head } = record;
      const json = JSON.stringify(head);
      await records.write(
        record.correlationId,
        record.partnerId,
        Date.parse(record.startedAt) || now(),
        `${json.slice(0, -1)},"hops":[${hops.map((h) => serializer.hopJson(h)).join(',')}]}`,
      );
    },
    async appendHop(correlationId, hop) {
      // the hop as it will be read back: redacted, capped, its body parsed again from the stored JSON
      await records.appendHop(correlationId, JSON.parse(serializer.hopJson(hop)) as ActivityHop);
    },
    get: records.get,
    list: (query: ActivityQuery = {}) => records.list(query),
  };
}

/**
 * A mapping file as integrators name it: from its `partners/` or `mappings/` folder on
 * (`mappings/legacy/offers/create.request.jsonata`).
 */
export function mappingName(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  const partners = file.lastIndexOf('/partners/');
  const at = partners >= 0 ? partners : file.lastIndexOf('/mappings/');
  return at >= 0 ? file.slice(at + 1) : file;
}

function withBody(head: string, body: string | undefined): string {
  return body === undefined ? head : `${head.slice(0, -1)},"body":${body}}`;
}
