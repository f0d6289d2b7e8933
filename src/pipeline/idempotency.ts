import { createHash, randomUUID } from 'node:crypto';
import { GatewayError } from '../errors/catalogue.js';
import { StoreUnavailableError, type Store } from '../state/store.js';
import { isRecord } from '../json/unknown-values.js';

/** What a create answered, as kept for replays. */
export interface RecordedResponse {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

export interface IdempotencySettings {
  /** how long a finished create's answer is kept for replays of its Idempotency-Key (default 24 h) */
  readonly keyTtlMs: number;
  /** without a key: a repeated top-level `externalId` replays the first create for this long (0: off) */
  readonly externalIdWindowMs: number;
  /** a reservation older than this whose request never finished (crash) is reported as interrupted */
  readonly leaseMs: number;
}

/** Which promise protects a create: the partner's Idempotency-Key header, or the body's externalId. */
export type IdempotencyClaim = { kind: 'key'; value: string } | { kind: 'externalId'; value: string; operation: string };

interface Pending {
  state: 'pending';
  token: string;
  fingerprint: string;
  at: number;
}
interface Done {
  state: 'done';
  fingerprint: string;
  response: RecordedResponse;
}
type Entry = Pending | Done;

export interface Idempotency {
  /**
   * Runs `exec` at most once per (partner, claim): the first request reserves the claim, runs and records a
   * successful answer; a retry with the same fingerprint gets that answer again (`replayed`); another
   * fingerprint is refused with 422, a retry while the first is still running with 409. A failed first run
   * (thrown error or status >= 400) releases the claim so a retry runs again.
   */
  run(
    partnerId: string,
    claim: IdempotencyClaim,
    fingerprint: string,
    exec: () => Promise<RecordedResponse>,
  ): Promise<{ response: RecordedResponse; replayed: boolean }>;
}

/**
 * Reads the Idempotency-Key header (draft-ietf-httpapi-idempotency-key-header: a Structured Field string,
 * `"..."`; the bare form Stripe uses is accepted too). Undefined when absent; 400 when malformed.
 */
export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const raw = Array.isArray(header) ? (header.length === 1 ? header[0]! : '') : header.trim();
  const value = /^"(.*)"$/.test(raw) ? raw.slice(1, -1) : raw;
  if (!/^[\x21-\x7e]{1,255}$/.test(value)) {
    throw new GatewayError(
      'idempotency.invalid-key',
      'Idempotency-Key must be sent once, 1 to 255 visible ASCII characters (optionally in double quotes)',
    );
  }
  return value;
}

/** The fingerprint of a create: the operation and the body (object keys sorted, so key order does not matter). */
export function requestFingerprint(operationId: string, body: unknown): string {
  return createHash('sha256').update(operationId).update('\n').update(canonicalJson(body)).digest('base64url');
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isRecord(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/**
 * Idempotent creates over the store port (Redis when configured, so every instance agrees). Order of writes:
 * reserve the claim (set-if-absent) -> create -> record the answer. A crash after the create but before the
 * record leaves the reservation: retries then get 409 (never a second create) until the key expires; after
 * `leaseMs` the 409 says the first attempt was interrupted, so the partner looks the resource up (e.g. by
 * externalId) instead of waiting.
 */
export function createIdempotency(opts: { store: Store; settings: IdempotencySettings; now?: () => number }): Idempotency {
  const { store, settings } = opts;
  const now = opts.now ?? Date.now;
  const digest = (s: string) => createHash('sha256').update(s).digest('base64url');

  return {
    async run(partnerId, claim, fingerprint, exec) {
      const ttlMs = claim.kind === 'key' ? settings.keyTtlMs : settings.externalIdWindowMs;
      // a key is the partner's across operations (reused on another one: 422); an externalId only per operation
      const storeKey =
        claim.kind === 'key'
          ? `idem:k:${partnerId}:${digest(claim.value)}`
          : `idem:x:${partnerId}:${claim.operation}:${digest(claim.value)}`;
      const pending: Pending = { state: 'pending', token: randomUUID(), fingerprint, at: now() };
      for (let attempt = 0; ; attempt++) {
        if (await unavailableAs503(store.setJson(storeKey, pending, { ttlMs, ifAbsent: true }))) break;
        const existing = await unavailableAs503(store.getJson<Entry>(storeKey));
        if (!existing) {
          if (attempt < 3) continue; // expired between the two calls
          throw new GatewayError('idempotency.in-flight');
        }
        if (existing.fingerprint !== fingerprint) throw reused(claim);
        if (existing.state === 'done') return { response: existing.response, replayed: true };
        const interrupted = now() - existing.at > settings.leaseMs;
        throw new GatewayError(
          'idempotency.in-flight',
          interrupted
            ? 'The first request with this key did not finish (interrupted); it may have created the resource: look it up before sending a new key'
            : 'A request with this key is still being processed; retry shortly',
          { headers: { 'Retry-After': '1' } },
        );
      }
      // a failed create leaves nothing to replay: free the claim so the partner's retry runs (a store outage here
      // leaves the reservation, which only costs a 409; never a duplicate)
      const release = () => store.del(storeKey).catch(() => false);
      let response: RecordedResponse;
      try {
        response = await exec();
      } catch (err) {
        await release();
        throw err;
      }
      if (response.status >= 400) await release();
      else {
        // the create happened: answer it even if the store fails now; the reservation left behind turns retries
        // into 409s (never a second create) until it expires
        await store.setJson(storeKey, { state: 'done', fingerprint, response } satisfies Done, { ttlMs }).catch(() => false);
      }
      return { response, replayed: false };
    },
  };
}

/** Nothing was created yet: a store outage is the usual 503 with Retry-After, so the partner retries later. */
async function unavailableAs503<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof StoreUnavailableError)
      throw new GatewayError('store.unavailable', undefined, { cause: err, headers: { 'Retry-After': '5' } });
    throw err;
  }
}

function reused(claim: IdempotencyClaim): GatewayError {
  if (claim.kind === 'externalId') {
    return new GatewayError('idempotency.external-id-reused', undefined, {
      issues: [
        {
          code: 'invalidValue',
          propertyPath: '/externalId',
          reason: 'This externalId was already used for a create with another body',
        },
      ],
    });
  }
  return new GatewayError('idempotency.key-reused', undefined, {
    issues: [
      {
        code: 'invalidValue',
        propertyPath: '/',
        reason: 'This Idempotency-Key was already used with another request body',
        message: 'header Idempotency-Key',
      },
    ],
  });
}
