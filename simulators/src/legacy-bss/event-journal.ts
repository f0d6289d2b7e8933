import express, { type Request, type Response, type Router } from 'express';
import { requireLegacyCustomer, type LegacyCustomerRecord } from './customer.js';
import { answerLegacy, createLegacyJsonParser, readLegacyFields, readLegacyQuery, type LegacyFieldReader } from './legacy-request.js';
import { formatLegacyTimestamp } from './legacy-timestamp.js';

/** Kinds of events the legacy BSS journals and calls back with. */
export type LegacyBssEventType =
  | 'FEAS_STATUS'
  | 'OFFER_STATUS'
  | 'ORDER_STATUS'
  | 'ORDER_LINE_STATUS'
  | 'ORDER_CHANGE'
  | 'CHARGE_STATUS'
  | 'ASSET_STATUS'
  | 'FAULT_STATUS'
  | 'FAULT_CHANGE'
  | 'BILL_STATUS'
  | 'NETWORK_EVENT'
  | 'KAT_ANG_STATUS'
  | 'KAT_ANG_CHANGE'
  | 'WO_STATUS'
  | 'APPT_STATUS';

/**
 * One entry of the legacy BSS event journal, and the body of one status callback
 * (`POST <callbackUrl>`, signed with `X-BSS-Signature`). Every field is always present.
 */
export interface LegacyBssEvent {
  /** Journal sequence number: 1, 2, 3... over all customers, never reused within one simulator run. */
  readonly EVT_SEQ: number;
  /** When the change happened, `dd.MM.yyyy HH:mm` Berlin time. */
  readonly EVT_TS: string;
  readonly EVT_TYPE: LegacyBssEventType;
  readonly CUST_NO: string;
  /** `FEAS_ID`, `OFFER_NO`, `ORDER_NO`, `ASSET_ID`, `TT_NO`, `BILL_NO` or `NWE_NO` of the object that changed. */
  readonly OBJ_ID: string;
  /** Order line concerned (`ORDER_LINE_STATUS`, `CHARGE_STATUS`, some `ORDER_CHANGE`), else `null`. */
  readonly LINE_REF: string | null;
  /** Charge concerned (`CHARGE_STATUS`), else `null`. */
  readonly CHARGE_ID: string | null;
  /** Status before the change; `null` when the object was just created or for `*_CHANGE` events. */
  readonly OLD_STATUS: string | null;
  /** Status after the change (for `*_CHANGE` events: the unchanged current status). */
  readonly NEW_STATUS: string | null;
  /** `Y` for test orders (and their lines, charges and assets), `N` otherwise; `null` outside orders. */
  readonly TEST_FLAG: 'Y' | 'N' | null;
  /** Free text: reason or what changed. */
  readonly INFO: string | null;
  /** `CHARGE_STATUS` events only: the charge as the order shows it (amount, type, blocking, response time). */
  readonly CHARGE?: Readonly<Record<string, unknown>>;
}

/** What a domain passes to {@link EventJournal.record}. */
export type LegacyBssEventInput = Omit<LegacyBssEvent, 'EVT_SEQ' | 'EVT_TS' | 'LINE_REF' | 'CHARGE_ID' | 'TEST_FLAG' | 'INFO'> &
  Partial<Pick<LegacyBssEvent, 'LINE_REF' | 'CHARGE_ID' | 'TEST_FLAG' | 'INFO' | 'CHARGE'>>;

/** The journal of one simulator instance. */
export interface EventJournal {
  /** Appends an event (stamped with the next sequence number and the clock) and hands it to `onEvent`. */
  record(input: LegacyBssEventInput): LegacyBssEvent;
  /** Events after `sinceSeq`, oldest first, optionally of one customer only. */
  since(sinceSeq: number, custNo?: string): LegacyBssEvent[];
  /** Highest sequence number handed out so far (0 before the first event). */
  lastSeq(): number;
  /** Lowest sequence number still kept (`lastSeq() + 1` when empty). */
  oldestSeq(): number;
}

/** How many events the journal keeps before dropping the oldest: a legacy journal table is purged. */
export const DEFAULT_JOURNAL_CAPACITY = 10_000;

/** Builds an empty journal. */
export function createEventJournal(options: {
  /** Clock used for `EVT_TS`. */
  readonly now: () => Date;
  /** Receives every recorded event (the callback sender). */
  readonly onEvent?: (event: LegacyBssEvent) => void;
  /** Events kept; older ones are dropped. Defaults to {@link DEFAULT_JOURNAL_CAPACITY}. */
  readonly capacity?: number;
}): EventJournal {
  const capacity = options.capacity ?? DEFAULT_JOURNAL_CAPACITY;
  const events: LegacyBssEvent[] = [];
  let seq = 0;
  return {
    record(input) {
      seq += 1;
      const event: LegacyBssEvent = Object.freeze({
        EVT_SEQ: seq,
        EVT_TS: formatLegacyTimestamp(options.now()),
        EVT_TYPE: input.EVT_TYPE,
        CUST_NO: input.CUST_NO,
        OBJ_ID: input.OBJ_ID,
        LINE_REF: input.LINE_REF ?? null,
        CHARGE_ID: input.CHARGE_ID ?? null,
        OLD_STATUS: input.OLD_STATUS,
        NEW_STATUS: input.NEW_STATUS,
        TEST_FLAG: input.TEST_FLAG ?? null,
        INFO: input.INFO ?? null,
        ...(input.CHARGE ? { CHARGE: input.CHARGE } : {}),
      });
      events.push(event);
      if (events.length > capacity) events.splice(0, events.length - capacity);
      options.onEvent?.(event);
      return event;
    },
    since(sinceSeq, custNo) {
      // Sequence numbers are dense, so the first wanted event's index is computed, not searched.
      const first = events[0]?.EVT_SEQ ?? seq + 1;
      const start = Math.max(0, sinceSeq + 1 - first);
      const tail = events.slice(start);
      return custNo === undefined ? tail : tail.filter((event) => event.CUST_NO === custNo);
    },
    lastSeq: () => seq,
    oldestSeq: () => events[0]?.EVT_SEQ ?? seq + 1,
  };
}

/** Most events one `GET /events` answer carries. */
export const MAX_EVENTS_PER_ANSWER = 500;

const EVENT_QUERY_FIELDS = ['CUST_NO', 'SINCE_SEQ', 'LIMIT'];

/**
 * The journal, mounted under `/bss/v2/events`: `GET /` and `POST /search` with `CUST_NO`,
 * `SINCE_SEQ` and `LIMIT`, answering the customer's events after `SINCE_SEQ`.
 */
export function createEventRouter(options: {
  readonly journal: EventJournal;
  readonly customers: ReadonlyMap<string, LegacyCustomerRecord>;
}): Router {
  const router = express.Router();
  const list = (reader: LegacyFieldReader): Record<string, unknown> => {
    const customer = requireLegacyCustomer(reader, options.customers);
    const sinceSeq = reader.integer('SINCE_SEQ', 0, Number.MAX_SAFE_INTEGER) ?? 0;
    const limit = reader.integer('LIMIT', 1, MAX_EVENTS_PER_ANSWER) ?? MAX_EVENTS_PER_ANSWER;
    const matching = options.journal.since(sinceSeq, customer.CUST_NO);
    const events = matching.slice(0, limit);
    const oldest = options.journal.oldestSeq();
    return {
      EVENTS: events,
      LAST_SEQ: options.journal.lastSeq(),
      OLDEST_SEQ: oldest,
      // Continue from NEXT_SEQ; equal to LAST_SEQ once caught up.
      NEXT_SEQ: matching.length > limit ? (events[events.length - 1]?.EVT_SEQ ?? sinceSeq) : Math.max(sinceSeq, options.journal.lastSeq()),
      MORE: matching.length > limit ? 'Y' : 'N',
      GAP: sinceSeq + 1 < oldest ? 'Y' : 'N',
    };
  };
  router.get('/', (req: Request, res: Response) => answerLegacy(res, () => list(readLegacyQuery(req, EVENT_QUERY_FIELDS))));
  router.post('/search', createLegacyJsonParser(), (req: Request, res: Response) =>
    answerLegacy(res, () => list(readLegacyFields(req.body, { source: 'body', allowed: EVENT_QUERY_FIELDS }))),
  );
  return router;
}
