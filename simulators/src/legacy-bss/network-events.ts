import express, { type Request, type Response, type Router } from 'express';
import type { AssetStore } from './asset.js';
import { requireLegacyCustomer } from './customer.js';
import {
  answerLegacy,
  createLegacyJsonParser,
  LegacyInputError,
  LegacyNotFoundError,
  mountLegacyReads,
  pageLegacyList,
  PAGING_FIELDS,
  readLegacyFields,
  type LegacyFieldReader,
} from './legacy-request.js';
import { formatLegacyTimestamp, parseLegacyTimestamp } from './legacy-timestamp.js';
import { checkUniqueSeedKey, readSeedFile, type SeedMap } from './seed-file.js';
import type { SimContext } from './sim-context.js';

/**
 * Network events of the simulated BSS: planned maintenance windows and unplanned outages or impairments of its
 * NETWORK ELEMENTS (access switches, aggregation routers, core nodes), as its network operations centre publishes
 * them. Customers' assets ride on elements: an element carries the access of the addresses it lists
 * (`CARRIES`), so every asset at such an address (seeded or ordered later) is affected by an event on it.
 */

/** `WART` Wartung (planned maintenance), `STOE` Störung (outage), `BEEI` Beeinträchtigung (impairment). */
export type NetworkEventType = 'WART' | 'STOE' | 'BEEI';
/** `GEPL` geplant/angekündigt, `LFD` laufend, `ABG` abgeschlossen. */
export type NetworkEventStatus = 'GEPL' | 'LFD' | 'ABG';
/** Effect on the services: `AUSF` Ausfall (down), `EINS` eingeschränkt (degraded), `SPOR` sporadisch (intermittent). */
export type NetworkEventEffect = 'AUSF' | 'EINS' | 'SPOR';
/** Cause of an impairment: `UEBL` Überlast (congestion), `DROS` Drosselung (policing). */
export type NetworkEventCause = 'UEBL' | 'DROS';

const TYPES: readonly NetworkEventType[] = ['WART', 'STOE', 'BEEI'];
const STATUSES: readonly NetworkEventStatus[] = ['GEPL', 'LFD', 'ABG'];
const EFFECTS: readonly NetworkEventEffect[] = ['AUSF', 'EINS', 'SPOR'];
const CAUSES: readonly NetworkEventCause[] = ['UEBL', 'DROS'];

/** A network element and the addresses whose access it carries. */
export interface NetworkElement {
  readonly NE_ID: string;
  readonly NE_TYPE: 'ACC' | 'AGG' | 'CORE';
  readonly NE_NAME: string;
  readonly CARRIES: readonly string[];
}

/** One network event; mutable state of one simulator instance. */
export interface NetworkEvent {
  readonly NWE_NO: string;
  readonly NWE_TYPE: NetworkEventType;
  CAUSE: NetworkEventCause | null;
  NWE_STATUS: NetworkEventStatus;
  EFFECT: NetworkEventEffect;
  /** 1 (sehr hoch) .. 4 (gering). */
  SEVERITY: number;
  /** German text of the NOC. */
  TEXT: string;
  ELEMENTS: string[];
  CREATED_TS: Date;
  START_TS: Date;
  PLANNED_END: Date | null;
  END_TS: Date | null;
  LAST_UPD: Date;
  readonly HIST: Array<{ STATUS: NetworkEventStatus; TS: Date }>;
}

/** File name of the network seed inside the simulator's data folder. */
export const NETWORK_SEED_FILE_NAME = 'network-events.yaml';

const NWE_NO_PATTERN = /^NWE-\d{4}-\d{6}$/;
const EVENT_SEED_FIELDS = [
  'NWE_NO',
  'NWE_TYPE',
  'CAUSE',
  'NWE_STATUS',
  'EFFECT',
  'SEVERITY',
  'TEXT',
  'ELEMENTS',
  'CREATED_TS',
  'START_TS',
  'PLANNED_END',
  'END_TS',
  'LAST_UPD',
];
const PUBLISH_FIELDS = ['NWE_TYPE', 'CAUSE', 'NWE_STATUS', 'EFFECT', 'SEVERITY', 'TEXT', 'ELEMENTS', 'START_TS', 'PLANNED_END'];
const UPDATE_FIELDS = ['NWE_STATUS', 'EFFECT', 'SEVERITY', 'TEXT', 'ELEMENTS', 'START_TS', 'PLANNED_END'];

/** Type rules: an outage is `AUSF` without cause, an impairment `EINS`/`SPOR` with a cause, maintenance has an end. */
function checkConsistency(
  e: Pick<NetworkEvent, 'NWE_TYPE' | 'CAUSE' | 'EFFECT' | 'NWE_STATUS' | 'PLANNED_END' | 'END_TS'>,
): string | undefined {
  if (e.NWE_TYPE === 'STOE' && e.EFFECT !== 'AUSF') return 'a STOE event has EFFECT AUSF';
  if (e.NWE_TYPE === 'BEEI' && e.EFFECT === 'AUSF') return 'a BEEI event has EFFECT EINS or SPOR';
  if ((e.NWE_TYPE === 'BEEI') !== (e.CAUSE !== null)) return 'CAUSE is required for BEEI events and only for them';
  if (e.NWE_TYPE === 'WART' && e.PLANNED_END === null) return 'a WART event needs PLANNED_END (the end of the window)';
  if ((e.NWE_STATUS === 'ABG') !== (e.END_TS !== null)) return 'END_TS is required for ABG events and only for them';
  return undefined;
}

/** Reads and validates `<dataDir>/network-events.yaml`: elements (carrying known addresses) and events on them. */
export function loadNetworkSeed(dataDir: string, addressKeys: ReadonlySet<string>): { elements: NetworkElement[]; events: NetworkEvent[] } {
  const root = readSeedFile(dataDir, NETWORK_SEED_FILE_NAME).allowOnly(['elements', 'events']);
  const seenElements = new Map<string, number>();
  const elements = root.list('elements').map((item) => {
    const entry = item.asMap().allowOnly(['NE_ID', 'NE_TYPE', 'NE_NAME', 'CARRIES']);
    const id = entry.text('NE_ID');
    checkUniqueSeedKey(seenElements, id, entry.required('NE_ID'));
    const carries = entry.list('CARRIES').map((v) => {
      const key = v.asText();
      if (!addressKeys.has(key)) v.fail(`unknown address ${key} (not in addresses.yaml)`);
      return key;
    });
    return Object.freeze({
      NE_ID: id,
      NE_TYPE: entry.code('NE_TYPE', ['ACC', 'AGG', 'CORE'] as const),
      NE_NAME: entry.text('NE_NAME'),
      CARRIES: Object.freeze(carries),
    });
  });
  const elementIds = new Set(elements.map((e) => e.NE_ID));
  const seenEvents = new Map<string, number>();
  const events = root.list('events').map((item) => readSeedEvent(item.asMap().allowOnly(EVENT_SEED_FIELDS), elementIds, seenEvents));
  return { elements, events };
}

function readSeedEvent(entry: SeedMap, elementIds: ReadonlySet<string>, seen: Map<string, number>): NetworkEvent {
  const no = entry.text('NWE_NO');
  if (!NWE_NO_PATTERN.test(no)) entry.required('NWE_NO').fail(`must look like NWE-2026-000101, got ${no}`);
  checkUniqueSeedKey(seen, no, entry.required('NWE_NO'));
  const time = (name: string): Date => parseLegacyTimestamp(entry.timestamp(name)) as Date;
  const optionalTime = (name: string): Date | null => {
    const text = entry.optionalTimestamp(name);
    return text === null ? null : (parseLegacyTimestamp(text) as Date);
  };
  const elements = entry.list('ELEMENTS').map((v) => {
    const id = v.asText();
    if (!elementIds.has(id)) v.fail(`unknown network element ${id}`);
    return id;
  });
  if (elements.length === 0) entry.fail('ELEMENTS: list is empty');
  const cause = entry.optionalText('CAUSE');
  if (cause !== null && !(CAUSES as readonly string[]).includes(cause)) entry.required('CAUSE').fail(`must be one of ${CAUSES.join(', ')}`);
  const event: NetworkEvent = {
    NWE_NO: no,
    NWE_TYPE: entry.code('NWE_TYPE', TYPES),
    CAUSE: cause as NetworkEventCause | null,
    NWE_STATUS: entry.code('NWE_STATUS', STATUSES),
    EFFECT: entry.code('EFFECT', EFFECTS),
    SEVERITY: entry.integer('SEVERITY', 1, 4),
    TEXT: entry.text('TEXT'),
    ELEMENTS: elements,
    CREATED_TS: time('CREATED_TS'),
    START_TS: time('START_TS'),
    PLANNED_END: optionalTime('PLANNED_END'),
    END_TS: optionalTime('END_TS'),
    LAST_UPD: time('LAST_UPD'),
    HIST: [],
  };
  const problem = checkConsistency(event);
  if (problem) entry.fail(problem);
  event.HIST.push({ STATUS: 'GEPL', TS: event.CREATED_TS });
  if (event.NWE_STATUS !== 'GEPL') event.HIST.push({ STATUS: 'LFD', TS: event.START_TS });
  if (event.END_TS) event.HIST.push({ STATUS: 'ABG', TS: event.END_TS });
  return event;
}

/** The network domain: customer reads under `/bss/v2/network-events`, the NOC's publishing under `/bss/v2/_sim/network-events`. */
export interface NetworkEventDomain {
  readonly router: Router;
  readonly control: Router;
}

/** The network domain's state and what it reads: the elements, the events, the assets riding on them. */
interface NetworkState {
  readonly context: Pick<SimContext, 'now' | 'journal' | 'nextNumber' | 'seed'>;
  readonly assets: AssetStore;
  readonly elements: ReadonlyMap<string, NetworkElement>;
  readonly events: Map<string, NetworkEvent>;
}

/** Builds the network domain over the seeded elements and events. */
export function createNetworkEventDomain(
  context: Pick<SimContext, 'now' | 'journal' | 'nextNumber' | 'seed'>,
  assets: AssetStore,
  seed: ReturnType<typeof loadNetworkSeed>,
): NetworkEventDomain {
  const state: NetworkState = {
    context,
    assets,
    elements: new Map(seed.elements.map((e) => [e.NE_ID, e])),
    events: new Map(seed.events.map((e) => [e.NWE_NO, e])),
  };
  const router = express.Router();
  mountNetworkEventReads(router, state);
  const control = createNetworkControlRouter({
    publish: (reader) => publishNetworkEvent(state, reader),
    update: (no, reader) => updateNetworkEvent(state, no, reader),
    close: (no, reader) => closeNetworkEvent(state, no, reader),
  });
  return { router, control };
}

/** Every asset riding on the event's elements, with the element it rides on. */
function affected(state: NetworkState, event: Pick<NetworkEvent, 'ELEMENTS'>): Array<{ ASSET_ID: string; CUST_NO: string; NE_ID: string }> {
  const out: Array<{ ASSET_ID: string; CUST_NO: string; NE_ID: string }> = [];
  for (const asset of state.assets.list()) {
    if (asset.ASSET_STATUS === 'TERM' || asset.ASSET_STATUS === 'CANC') continue;
    const element = event.ELEMENTS.map((id) => state.elements.get(id)).find((e) => e?.CARRIES.includes(asset.ADDR_KEY));
    if (element) out.push({ ASSET_ID: asset.ASSET_ID, CUST_NO: asset.CUST_NO, NE_ID: element.NE_ID });
  }
  return out.sort((a, b) => a.ASSET_ID.localeCompare(b.ASSET_ID));
}

function renderNetworkEvent(state: NetworkState, event: NetworkEvent, custNo?: string): Record<string, unknown> {
  return {
    NWE_NO: event.NWE_NO,
    NWE_TYPE: event.NWE_TYPE,
    CAUSE: event.CAUSE,
    NWE_STATUS: event.NWE_STATUS,
    EFFECT: event.EFFECT,
    SEVERITY: event.SEVERITY,
    TEXT: event.TEXT,
    ELEMENTS: event.ELEMENTS.map((id) => ({
      NE_ID: id,
      NE_TYPE: state.elements.get(id)?.NE_TYPE,
      NE_NAME: state.elements.get(id)?.NE_NAME,
    })),
    CREATED_TS: formatLegacyTimestamp(event.CREATED_TS),
    START_TS: formatLegacyTimestamp(event.START_TS),
    PLANNED_END: event.PLANNED_END && formatLegacyTimestamp(event.PLANNED_END),
    END_TS: event.END_TS && formatLegacyTimestamp(event.END_TS),
    LAST_UPD: formatLegacyTimestamp(event.LAST_UPD),
    AFFECTED: affected(state, event)
      .filter((a) => custNo === undefined || a.CUST_NO === custNo)
      .map(({ ASSET_ID, NE_ID }) => ({ ASSET_ID, NE_ID })),
    HIST: event.HIST.map((h) => ({ STATUS: h.STATUS, TS: formatLegacyTimestamp(h.TS) })),
  };
}

/** The customer's reads: search and inquiry over the events touching the customer's assets. */
function mountNetworkEventReads(router: Router, state: NetworkState): void {
  const { context, events } = state;
  mountLegacyReads(router, {
    searchFields: ['CUST_NO', 'NWE_STATUS', 'NWE_TYPE', 'ASSET_ID', ...PAGING_FIELDS],
    search(reader: LegacyFieldReader) {
      const customer = requireLegacyCustomer(reader, context.seed.customers);
      const status = reader.code('NWE_STATUS', STATUSES);
      const type = reader.code('NWE_TYPE', TYPES);
      const assetId = reader.text('ASSET_ID', 10);
      const matches = [...events.values()]
        .filter((event) => {
          const mine = affected(state, event).filter((a) => a.CUST_NO === customer.CUST_NO);
          return (
            mine.length > 0 &&
            (status === undefined || event.NWE_STATUS === status) &&
            (type === undefined || event.NWE_TYPE === type) &&
            (assetId === undefined || mine.some((a) => a.ASSET_ID === assetId))
          );
        })
        .sort((a, b) => b.START_TS.getTime() - a.START_TS.getTime() || a.NWE_NO.localeCompare(b.NWE_NO));
      const { page, ...paging } = pageLegacyList(reader, matches);
      return { ...paging, NETWORK_EVENTS: page.map((event) => renderNetworkEvent(state, event, customer.CUST_NO)) };
    },
    idField: 'NWE_NO',
    idMaxLength: 20,
    inquire(reader, no) {
      const customer = requireLegacyCustomer(reader, context.seed.customers);
      const event = events.get(no);
      if (!event || !affected(state, event).some((a) => a.CUST_NO === customer.CUST_NO)) {
        throw new LegacyNotFoundError('network event unknown');
      }
      return { NETWORK_EVENT: renderNetworkEvent(state, event, customer.CUST_NO) };
    },
  });
}

/** Journals one NETWORK_EVENT per customer the event touches (before or after the change). */
function announce(
  state: NetworkState,
  event: NetworkEvent,
  before: ReadonlySet<string>,
  oldStatus: NetworkEventStatus | null,
  info: string,
): void {
  const customers = new Set([...before, ...affected(state, event).map((a) => a.CUST_NO)]);
  for (const custNo of [...customers].sort()) {
    state.context.journal.record({
      EVT_TYPE: 'NETWORK_EVENT',
      CUST_NO: custNo,
      OBJ_ID: event.NWE_NO,
      OLD_STATUS: oldStatus,
      NEW_STATUS: event.NWE_STATUS,
      INFO: info,
    });
  }
}

function publishNetworkEvent(state: NetworkState, reader: LegacyFieldReader): Record<string, unknown> {
  const now = state.context.now();
  const type = reader.requiredCode('NWE_TYPE', TYPES);
  const event: NetworkEvent = {
    NWE_NO: state.context.nextNumber('NWE'),
    NWE_TYPE: type,
    CAUSE: reader.code('CAUSE', CAUSES) ?? null,
    NWE_STATUS: reader.code('NWE_STATUS', ['GEPL', 'LFD'] as const) ?? (type === 'WART' ? 'GEPL' : 'LFD'),
    EFFECT: reader.code('EFFECT', EFFECTS) ?? (type === 'STOE' ? 'AUSF' : 'EINS'),
    SEVERITY: reader.integer('SEVERITY', 1, 4) ?? 3,
    TEXT: reader.requiredText('TEXT', 500),
    ELEMENTS: readElements(reader, state.elements, true) as string[],
    CREATED_TS: now,
    START_TS: reader.timestamp('START_TS') ?? now,
    PLANNED_END: reader.timestamp('PLANNED_END') ?? null,
    END_TS: null,
    LAST_UPD: now,
    HIST: [{ STATUS: 'GEPL', TS: now }],
  };
  if (event.NWE_STATUS === 'LFD') event.HIST.push({ STATUS: 'LFD', TS: now });
  const problem = checkConsistency(event);
  if (problem) throw new LegacyInputError(null, problem);
  state.events.set(event.NWE_NO, event);
  announce(state, event, new Set(), null, type === 'WART' ? 'Wartung angekündigt' : 'Störung gemeldet');
  return { NETWORK_EVENT: renderNetworkEvent(state, event) };
}

function updateNetworkEvent(state: NetworkState, no: string, reader: LegacyFieldReader): Record<string, unknown> {
  const event = requireOpen(state.events, no);
  const before = new Set(affected(state, event).map((a) => a.CUST_NO));
  const oldStatus = event.NWE_STATUS;
  const status = reader.code('NWE_STATUS', ['GEPL', 'LFD'] as const);
  if (status === 'GEPL' && oldStatus === 'LFD') reader.fail('NWE_STATUS', 'NWE_STATUS cannot go back from LFD to GEPL');
  const changed = {
    ...event,
    EFFECT: reader.code('EFFECT', EFFECTS) ?? event.EFFECT,
    PLANNED_END: reader.timestamp('PLANNED_END') ?? event.PLANNED_END,
  };
  const problem = checkConsistency(changed);
  if (problem) throw new LegacyInputError(null, problem);
  const now = state.context.now();
  event.EFFECT = changed.EFFECT;
  event.PLANNED_END = changed.PLANNED_END;
  event.SEVERITY = reader.integer('SEVERITY', 1, 4) ?? event.SEVERITY;
  event.TEXT = reader.text('TEXT', 500) ?? event.TEXT;
  event.ELEMENTS = readElements(reader, state.elements, false) ?? event.ELEMENTS;
  event.START_TS = reader.timestamp('START_TS') ?? event.START_TS;
  if (status === 'LFD' && oldStatus === 'GEPL') {
    event.NWE_STATUS = 'LFD';
    event.HIST.push({ STATUS: 'LFD', TS: now });
  }
  event.LAST_UPD = now;
  announce(state, event, before, oldStatus, oldStatus === event.NWE_STATUS ? 'Meldung geändert' : 'Arbeiten begonnen');
  return { NETWORK_EVENT: renderNetworkEvent(state, event) };
}

function closeNetworkEvent(state: NetworkState, no: string, reader: LegacyFieldReader): Record<string, unknown> {
  const event = requireOpen(state.events, no);
  const oldStatus = event.NWE_STATUS;
  const now = state.context.now();
  event.END_TS = reader.timestamp('END_TS') ?? now;
  event.TEXT = reader.text('TEXT', 500) ?? event.TEXT;
  event.NWE_STATUS = 'ABG';
  event.LAST_UPD = now;
  event.HIST.push({ STATUS: 'ABG', TS: event.END_TS });
  announce(state, event, new Set(), oldStatus, 'Meldung abgeschlossen');
  return { NETWORK_EVENT: renderNetworkEvent(state, event) };
}

function requireOpen(events: ReadonlyMap<string, NetworkEvent>, no: string): NetworkEvent {
  const event = events.get(no);
  if (!event) throw new LegacyNotFoundError('network event unknown');
  if (event.NWE_STATUS === 'ABG') throw new LegacyInputError('NWE_NO', 'network event already closed (ABG)');
  return event;
}

function readElements(reader: LegacyFieldReader, elements: ReadonlyMap<string, NetworkElement>, required: boolean): string[] | undefined {
  const list = reader.list('ELEMENTS', 50);
  if (list === undefined) return required ? reader.fail('ELEMENTS', 'ELEMENTS missing') : undefined;
  if (list.length === 0) reader.fail('ELEMENTS', 'ELEMENTS is empty');
  return list.map((id, i) => {
    if (typeof id !== 'string' || !elements.has(id)) return reader.fail('ELEMENTS', `ELEMENTS[${i}] is not a known network element`);
    return id;
  });
}

/**
 * The NOC's publishing desk (API key, no CUST_NO): `POST /` publishes an event, `POST /:no/update` changes it (text,
 * window, elements, severity, effect; `NWE_STATUS: LFD` when works start), `POST /:no/close` closes it. Each journals
 * a `NETWORK_EVENT` for every customer whose assets it touches.
 */
function createNetworkControlRouter(ops: {
  publish(reader: LegacyFieldReader): Record<string, unknown>;
  update(no: string, reader: LegacyFieldReader): Record<string, unknown>;
  close(no: string, reader: LegacyFieldReader): Record<string, unknown>;
}): Router {
  const router = express.Router();
  router.post('/', createLegacyJsonParser(), (req: Request, res: Response) =>
    answerLegacy(res, () => ops.publish(readLegacyFields(req.body, { source: 'body', allowed: PUBLISH_FIELDS }))),
  );
  router.post('/:no/update', createLegacyJsonParser(), (req: Request, res: Response) =>
    answerLegacy(res, () => ops.update(String(req.params['no']), readLegacyFields(req.body, { source: 'body', allowed: UPDATE_FIELDS }))),
  );
  router.post('/:no/close', createLegacyJsonParser(), (req: Request, res: Response) =>
    answerLegacy(res, () =>
      ops.close(String(req.params['no']), readLegacyFields(req.body, { source: 'body', allowed: ['END_TS', 'TEXT'] })),
    ),
  );
  return router;
}
