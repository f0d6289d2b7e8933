/**
 * The activity log: one record per partner (or buyer-side) request with its chain of hops, for the console's Activity
 * page and `sonata-gateway trace` / `replay`. Bodies are redacted and size-capped before they are recorded; records
 * expire (TTL) and each partner keeps at most a configured number of them.
 *
 * This file is the contract between the capture (pipeline, legacy client, notifier) and its readers (console, CLI).
 */

/** What one hop of a request's chain was. */
export type ActivityHopKind =
  | 'partner-request' // what the partner sent (method, path, body)
  | 'legacy-request' // the mapped call to the legacy BSS
  | 'legacy-response' // what the legacy BSS answered
  | 'seller-request' // buyer side: the call to a seller partner
  | 'seller-response'
  | 'partner-response' // what the gateway answered
  | 'notification'; // a notification the request caused (queued or delivered)

export interface ActivityHop {
  readonly kind: ActivityHopKind;
  /** ISO 8601 UTC */
  readonly at: string;
  /** time the hop took, where it has one (a call and its answer) */
  readonly ms?: number;
  readonly method?: string;
  /** URL or path; query secrets redacted */
  readonly url?: string;
  readonly status?: number;
  /** the body, redacted; `{ truncated: true, bytes }` when over the size cap */
  readonly body?: unknown;
  /** the mapping that produced this hop's body, e.g. `grace/quote/quote-create.request.jsonata` */
  readonly mapping?: string;
  /** a note (error code, notification event type, delivery outcome) */
  readonly note?: string;
}

export interface ActivityRecord {
  /** the request's correlation id: the X-Request-Id the gateway answered with */
  readonly correlationId: string;
  readonly partnerId?: string;
  readonly release?: string;
  readonly api?: string;
  readonly operationId?: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** ISO 8601 UTC */
  readonly startedAt: string;
  readonly ms: number;
  readonly hops: readonly ActivityHop[];
}

export interface ActivityQuery {
  readonly partnerId?: string;
  /** newest first; default 50 */
  readonly limit?: number;
}

export interface ActivityLog {
  /** false when capture is off (nothing is recorded, reads give nothing) */
  readonly enabled: boolean;
  record(record: ActivityRecord): Promise<void>;
  /** hops recorded after the request finished (e.g. a notification delivered later) */
  appendHop(correlationId: string, hop: ActivityHop): Promise<void>;
  get(correlationId: string): Promise<ActivityRecord | undefined>;
  list(query?: ActivityQuery): Promise<ActivityRecord[]>;
}
