import express, { type Request, type Response, type Router } from 'express';
import { renderHistoryEntry } from './asset.js';
import { requireLegacyCustomer } from './customer.js';
import { findOpenIncident, type LegacyIncidentRecord } from './incident.js';
import {
  answerLegacy,
  createLegacyJsonParser,
  LegacyInputError,
  LegacyNotFoundError,
  mountLegacyReads,
  pageLegacyList,
  searchOwnRecords,
  PAGING_FIELDS,
  readLegacyFields,
  type LegacyFieldReader,
} from './legacy-request.js';
import { addHours, formatLegacyTimestamp } from './legacy-timestamp.js';
import type { SimContext, SimDomain, StatusHistoryEntry } from './sim-context.js';
import { isSiteVisible } from './site.js';

/**
 * Fault ticket status codes: `OPEN` (logged), `WIP` (being worked on), `WCUST` (waiting for the
 * customer: see `INFO_REQ`), `RSLVD` (resolved, awaiting the customer's confirmation), `CLSD`
 * (closed), `CANC` (cancelled by the customer), `REOP` (reopened by the customer).
 */
export type FaultStatus = 'OPEN' | 'WIP' | 'WCUST' | 'RSLVD' | 'CLSD' | 'CANC' | 'REOP';

/** Fault types: `RP` repair, `IN` installation problem, `IQ` information request, `AS` assistance. */
export type FaultType = 'RP' | 'IN' | 'IQ' | 'AS';

/** Hours to restore by priority (1 = highest); `TARGET_TS` = `OPENED` + these hours. */
export const FAULT_RESTORE_HOURS: Readonly<Record<number, number>> = { 1: 4, 2: 8, 3: 24, 4: 72 };

/** A note on a ticket, from the customer (`CUST`) or the fault desk (`BSS`). */
export interface FaultNote {
  readonly TS: Date;
  readonly AUTHOR: 'CUST' | 'BSS';
  readonly TEXT: string;
}

/** A fault (trouble) ticket of one customer. */
export interface FaultTicket {
  readonly TT_NO: string;
  readonly CUST_NO: string;
  readonly CUST_TT_REF: string | null;
  readonly ASSET_ID: string | null;
  readonly SITE_ID: string | null;
  readonly ADDR_KEY: string | null;
  readonly FAULT_TYPE: FaultType;
  SEVERITY: number;
  PRIORITY: number;
  IMPACT: 'DOWN' | 'DEGR' | 'INTM' | null;
  DESCRIPTION: string;
  CONTACT_NAME: string;
  CONTACT_PHONE: string | null;
  CONTACT_EMAIL: string | null;
  readonly OBSERVED: Date | null;
  STATUS: FaultStatus;
  STATUS_RSN: string | null;
  INFO_REQ: string | null;
  RESOLUTION: string | null;
  readonly INCIDENT_NO: string | null;
  readonly OPENED: Date;
  RESOLVED: Date | null;
  CLOSED: Date | null;
  CANCELLED: Date | null;
  LAST_CHG: Date;
  readonly STATUS_HIST: StatusHistoryEntry<FaultStatus>[];
  readonly NOTES: FaultNote[];
}

const FAULT_STATUSES: readonly FaultStatus[] = ['OPEN', 'WIP', 'WCUST', 'RSLVD', 'CLSD', 'CANC', 'REOP'];
const CREATE_FIELDS = [
  'CUST_NO',
  'CUST_TT_REF',
  'ASSET_ID',
  'SITE_ID',
  'FAULT_TYPE',
  'SEVERITY',
  'PRIORITY',
  'IMPACT',
  'DESCRIPTION',
  'CONTACT_NAME',
  'CONTACT_PHONE',
  'CONTACT_EMAIL',
  'OBSERVED',
];
const UPDATE_FIELDS = [
  'CUST_NO',
  'DESCRIPTION',
  'CONTACT_NAME',
  'CONTACT_PHONE',
  'CONTACT_EMAIL',
  'PRIORITY',
  'SEVERITY',
  'IMPACT',
  'NOTE',
];
const SEARCH_FIELDS = ['CUST_NO', 'TT_STATUS', 'ASSET_ID', 'SITE_ID', 'CUST_TT_REF', 'CHANGED_SINCE', ...PAGING_FIELDS];
const IMPACTS = ['DOWN', 'DEGR', 'INTM'] as const;
/** Default resolution text of a simulated repair. */
const DEFAULT_RESOLUTION = 'fault cleared by the fault desk';

/** The fault domain's state and what it reads. */
interface FaultState {
  readonly context: SimContext;
  readonly incidents: readonly LegacyIncidentRecord[];
  readonly tickets: Map<string, FaultTicket>;
}

/**
 * The fault domain, mounted under `/bss/v2/faults`: `POST /` (open a ticket),
 * `POST /:ttNo/update`, `POST /:ttNo/cancel`, `POST /:ttNo/close`, `POST /:ttNo/reopen`, list and
 * inquiry. The fault desk works tickets through `_sim` advance or the auto-advance tick.
 */
export function createFaultDomain(context: SimContext, incidents: readonly LegacyIncidentRecord[]): SimDomain {
  const state: FaultState = { context, incidents, tickets: new Map() };
  const router = express.Router();
  router.post('/', createLegacyJsonParser(), (req: Request, res: Response) => {
    answerLegacy(res, () => openTicket(state, readLegacyFields(req.body, { source: 'body', allowed: CREATE_FIELDS })));
  });
  router.post('/:ttNo/update', createLegacyJsonParser(), (req: Request, res: Response) => {
    answerLegacy(res, () =>
      updateTicket(state, String(req.params['ttNo']), readLegacyFields(req.body, { source: 'body', allowed: UPDATE_FIELDS })),
    );
  });
  mountTransition(router, state, 'cancel', ['OPEN', 'WIP', 'WCUST', 'REOP'], 'CANC', 'cancelled by customer');
  mountTransition(router, state, 'close', ['RSLVD'], 'CLSD', 'resolution confirmed by customer');
  mountTransition(router, state, 'reopen', ['RSLVD', 'CLSD'], 'REOP', 'reopened by customer');
  mountFaultReads(router, state);
  return {
    path: 'faults',
    router,
    advanceFields: ['TO', 'REASON'],
    advance: (ttNo, reader) => advanceTicket(state, ttNo, reader),
    tick() {
      for (const ticket of state.tickets.values()) {
        if (ticket.STATUS === 'OPEN' || ticket.STATUS === 'REOP' || ticket.STATUS === 'WIP') step(state, ticket, null);
      }
    },
    sweep() {},
  };
}

function setStatus(state: FaultState, ticket: FaultTicket, status: FaultStatus, reason: string | null): void {
  const old = ticket.STATUS;
  const now = state.context.now();
  ticket.STATUS = status;
  ticket.STATUS_RSN = reason;
  ticket.LAST_CHG = now;
  ticket.STATUS_HIST.push({ STATUS: status, TS: now, RSN: reason });
  if (status !== 'WCUST') ticket.INFO_REQ = null;
  if (status === 'RSLVD') ticket.RESOLVED = now;
  if (status === 'CLSD') ticket.CLOSED = now;
  if (status === 'CANC') ticket.CANCELLED = now;
  if (status === 'REOP') {
    ticket.RESOLVED = null;
    ticket.CLOSED = null;
    ticket.RESOLUTION = null;
  }
  state.context.journal.record({
    EVT_TYPE: 'FAULT_STATUS',
    CUST_NO: ticket.CUST_NO,
    OBJ_ID: ticket.TT_NO,
    OLD_STATUS: old,
    NEW_STATUS: status,
    INFO: reason,
  });
}

function addNote(state: FaultState, ticket: FaultTicket, author: 'CUST' | 'BSS', text: string): void {
  ticket.NOTES.push({ TS: state.context.now(), AUTHOR: author, TEXT: text });
}

/** One fault-desk step; throws RC 8 when the ticket waits for the customer or is final. */
function step(state: FaultState, ticket: FaultTicket, reason: string | null): void {
  switch (ticket.STATUS) {
    case 'OPEN':
    case 'REOP':
      return setStatus(state, ticket, 'WIP', reason);
    case 'WIP': {
      const resolution = reason ?? DEFAULT_RESOLUTION;
      ticket.RESOLUTION = resolution;
      addNote(state, ticket, 'BSS', resolution);
      return setStatus(state, ticket, 'RSLVD', resolution);
    }
    case 'RSLVD':
      return setStatus(state, ticket, 'CLSD', reason ?? 'closed by the fault desk (no customer response)');
    case 'WCUST':
      throw new LegacyInputError('TT_NO', `ticket ${ticket.TT_NO} is WCUST: waiting for the customer's update`);
    default:
      throw new LegacyInputError('TT_NO', `ticket ${ticket.TT_NO} is in final status ${ticket.STATUS}`);
  }
}

/** Where the fault is: the asset (and its site) or a site of the customer. */
function readFaultLocation(
  state: FaultState,
  reader: LegacyFieldReader,
  custNo: string,
): { assetId: string | undefined; siteId: string | null; addrKey: string | null } {
  const { context } = state;
  const assetId = reader.text('ASSET_ID', 10);
  let siteId = reader.text('SITE_ID', 9) ?? null;
  let addrKey: string | null = null;
  if (assetId === undefined && siteId === null) reader.fail('ASSET_ID', 'ASSET_ID or SITE_ID missing');
  if (assetId !== undefined) {
    const asset = context.assets.get(assetId);
    if (!asset || asset.CUST_NO !== custNo) return reader.fail('ASSET_ID', `ASSET_ID ${assetId} unknown`);
    if (asset.ASSET_STATUS === 'TERM' || asset.ASSET_STATUS === 'CANC')
      reader.fail('ASSET_ID', `ASSET_ID ${assetId} is ${asset.ASSET_STATUS}`);
    if (siteId !== null && siteId !== asset.SITE_ID) reader.fail('SITE_ID', `SITE_ID ${siteId} is not the asset's site`);
    siteId = asset.SITE_ID;
    addrKey = asset.ADDR_KEY;
  } else if (siteId !== null) {
    const site = context.seed.sites.get(siteId);
    if (!site || !isSiteVisible(site, custNo)) return reader.fail('SITE_ID', `SITE_ID ${siteId} unknown`);
    addrKey = site.ADDR_KEY;
  }
  return { assetId, siteId, addrKey };
}

/** `POST /`: opens a ticket and a repair work order for it. */
function openTicket(state: FaultState, reader: LegacyFieldReader): Record<string, unknown> {
  const { context } = state;
  const customer = requireLegacyCustomer(reader, context.seed.customers);
  const { assetId, siteId, addrKey } = readFaultLocation(state, reader, customer.CUST_NO);
  const contactName = reader.requiredText('CONTACT_NAME', 60);
  const contactPhone = reader.text('CONTACT_PHONE', 30) ?? null;
  const contactEmail = reader.text('CONTACT_EMAIL', 80) ?? null;
  if (contactPhone === null && contactEmail === null) reader.fail('CONTACT_PHONE', 'CONTACT_PHONE or CONTACT_EMAIL missing');
  const now = context.now();
  const ticket: FaultTicket = {
    TT_NO: context.nextNumber('TT'),
    CUST_NO: customer.CUST_NO,
    CUST_TT_REF: reader.text('CUST_TT_REF', 35) ?? null,
    ASSET_ID: assetId ?? null,
    SITE_ID: siteId,
    ADDR_KEY: addrKey,
    FAULT_TYPE: reader.requiredCode('FAULT_TYPE', ['RP', 'IN', 'IQ', 'AS'] as const),
    SEVERITY: reader.requiredInteger('SEVERITY', 1, 4),
    PRIORITY: reader.integer('PRIORITY', 1, 4) ?? 3,
    IMPACT: reader.code('IMPACT', IMPACTS) ?? null,
    DESCRIPTION: reader.requiredText('DESCRIPTION', 2000),
    CONTACT_NAME: contactName,
    CONTACT_PHONE: contactPhone,
    CONTACT_EMAIL: contactEmail,
    OBSERVED: reader.timestamp('OBSERVED') ?? null,
    STATUS: 'OPEN',
    STATUS_RSN: null,
    INFO_REQ: null,
    RESOLUTION: null,
    INCIDENT_NO: assetId === undefined ? null : (findOpenIncident(state.incidents, assetId)?.INC_NO ?? null),
    OPENED: now,
    RESOLVED: null,
    CLOSED: null,
    CANCELLED: null,
    LAST_CHG: now,
    STATUS_HIST: [{ STATUS: 'OPEN', TS: now, RSN: null }],
    NOTES: [],
  };
  state.tickets.set(ticket.TT_NO, ticket);
  context.journal.record({
    EVT_TYPE: 'FAULT_STATUS',
    CUST_NO: ticket.CUST_NO,
    OBJ_ID: ticket.TT_NO,
    OLD_STATUS: null,
    NEW_STATUS: 'OPEN',
  });
  context.workOrders?.open({
    CUST_NO: ticket.CUST_NO,
    AUFTRAGSART: 'ENTST',
    BEZUG_TYP: 'STOERUNG',
    BEZUG_NR: ticket.TT_NO,
    BEMERKUNG: ticket.CUST_TT_REF,
    TEST_FLAG: null,
    ASSET_ID: ticket.ASSET_ID,
    SITE_ID: ticket.SITE_ID,
    ADDR_KEY: null,
    TAETIGKEITEN: [`Entstoerung ${ticket.TT_NO}`],
  });
  return { FAULT: renderFault(ticket) };
}

function ownTicket(state: FaultState, reader: LegacyFieldReader, ttNo: string): FaultTicket {
  const customer = requireLegacyCustomer(reader, state.context.seed.customers);
  const ticket = state.tickets.get(ttNo);
  if (!ticket || ticket.CUST_NO !== customer.CUST_NO) throw new LegacyNotFoundError('fault ticket unknown');
  return ticket;
}

/** `POST /:ttNo/update`: the customer changes details or adds a note; a ticket waiting for the customer goes back to WIP. */
function updateTicket(state: FaultState, ttNo: string, reader: LegacyFieldReader): Record<string, unknown> {
  const ticket = ownTicket(state, reader, ttNo);
  if (ticket.STATUS === 'CLSD' || ticket.STATUS === 'CANC') {
    throw new LegacyInputError('TT_NO', `ticket ${ticket.TT_NO} is ${ticket.STATUS}: no more updates`);
  }
  const changes = {
    DESCRIPTION: reader.text('DESCRIPTION', 2000),
    CONTACT_NAME: reader.text('CONTACT_NAME', 60),
    CONTACT_PHONE: reader.text('CONTACT_PHONE', 30),
    CONTACT_EMAIL: reader.text('CONTACT_EMAIL', 80),
    PRIORITY: reader.integer('PRIORITY', 1, 4),
    SEVERITY: reader.integer('SEVERITY', 1, 4),
    IMPACT: reader.code('IMPACT', IMPACTS),
  };
  const note = reader.text('NOTE', 2000);
  const changed = (Object.keys(changes) as (keyof typeof changes)[]).filter((name) => changes[name] !== undefined);
  if (changed.length === 0 && note === undefined) throw new LegacyInputError(null, 'nothing to update');
  Object.assign(ticket, Object.fromEntries(changed.map((name) => [name, changes[name]])));
  if (note !== undefined) addNote(state, ticket, 'CUST', note);
  ticket.LAST_CHG = state.context.now();
  const info = [...changed, ...(note === undefined ? [] : ['NOTE'])].join(',');
  state.context.journal.record({
    EVT_TYPE: 'FAULT_CHANGE',
    CUST_NO: ticket.CUST_NO,
    OBJ_ID: ticket.TT_NO,
    OLD_STATUS: null,
    NEW_STATUS: ticket.STATUS,
    INFO: `updated ${info}`,
  });
  // The update is the answer the desk waited for.
  if (ticket.STATUS === 'WCUST') setStatus(state, ticket, 'WIP', 'customer provided information');
  return { FAULT: renderFault(ticket) };
}

/** `POST /:ttNo/{name}`: the customer's move of a ticket in one of the `allowed` statuses to `status`. */
function mountTransition(
  router: Router,
  state: FaultState,
  name: string,
  allowed: readonly FaultStatus[],
  status: FaultStatus,
  defaultReason: string,
): void {
  router.post(`/:ttNo/${name}`, createLegacyJsonParser(), (req: Request, res: Response) => {
    answerLegacy(res, () => {
      const reader = readLegacyFields(req.body, { source: 'body', allowed: ['CUST_NO', 'REASON'] });
      const ticket = ownTicket(state, reader, String(req.params['ttNo']));
      const reason = reader.text('REASON', 200);
      if (!allowed.includes(ticket.STATUS)) {
        throw new LegacyInputError('TT_NO', `ticket ${ticket.TT_NO} is ${ticket.STATUS}; ${name} needs ${allowed.join(' or ')}`);
      }
      if (reason !== undefined) addNote(state, ticket, 'CUST', reason);
      setStatus(state, ticket, status, reason ?? defaultReason);
      return { FAULT: renderFault(ticket) };
    });
  });
}

function mountFaultReads(router: Router, state: FaultState): void {
  mountLegacyReads(router, {
    searchFields: SEARCH_FIELDS,
    search(reader) {
      const customer = requireLegacyCustomer(reader, state.context.seed.customers);
      const status = reader.code('TT_STATUS', FAULT_STATUSES);
      const assetId = reader.text('ASSET_ID', 10);
      const siteId = reader.text('SITE_ID', 9);
      const custRef = reader.text('CUST_TT_REF', 35);
      const changedSince = reader.timestamp('CHANGED_SINCE');
      const matches = searchOwnRecords(
        state.tickets.values(),
        customer.CUST_NO,
        { STATUS: status, ASSET_ID: assetId, SITE_ID: siteId, CUST_TT_REF: custRef },
        changedSince,
      );
      const { page, ...paging } = pageLegacyList(reader, matches);
      return { ...paging, FAULTS: page.map(renderFault) };
    },
    idField: 'TT_NO',
    idMaxLength: 20,
    inquire: (reader, ttNo) => ({ FAULT: renderFault(ownTicket(state, reader, ttNo)) }),
  });
}

/** The simulator's control: one fault-desk step, or (`TO`) every step up to a status; `TO: WCUST` asks the customer. */
function advanceTicket(state: FaultState, ttNo: string, reader: LegacyFieldReader): Record<string, unknown> {
  const ticket = state.tickets.get(ttNo);
  if (!ticket) throw new LegacyNotFoundError('fault ticket unknown');
  const to = reader.code('TO', ['WIP', 'WCUST', 'RSLVD', 'CLSD'] as const);
  const reason = reader.text('REASON', 200) ?? null;
  if (to === undefined) {
    step(state, ticket, reason);
  } else if (to === 'WCUST') {
    if (!['OPEN', 'WIP', 'REOP'].includes(ticket.STATUS))
      throw new LegacyInputError('TO', `ticket ${ttNo} is ${ticket.STATUS}: cannot wait for the customer`);
    ticket.INFO_REQ = reason ?? 'please confirm access to the site and the equipment status';
    addNote(state, ticket, 'BSS', ticket.INFO_REQ);
    setStatus(state, ticket, 'WCUST', ticket.INFO_REQ);
  } else {
    const target = rankFaultStatus(to);
    const waiting = ticket.STATUS === 'WCUST';
    if (ticket.STATUS === 'CANC' || (rankFaultStatus(ticket.STATUS) >= target && !(waiting && to === 'WIP'))) {
      throw new LegacyInputError('TO', `ticket ${ttNo} is already ${ticket.STATUS}`);
    }
    if (waiting) setStatus(state, ticket, 'WIP', 'information received (simulated)');
    // One status at a time, so every change is reported; the reason goes with the last step.
    while (ticket.STATUS !== to) step(state, ticket, rankFaultStatus(ticket.STATUS) + 1 === target ? reason : null);
  }
  return { FAULT: renderFault(ticket) };
}

// Position on the fault desk's forward path OPEN/REOP -> WIP/WCUST -> RSLVD -> CLSD.
function rankFaultStatus(status: FaultStatus): number {
  return { OPEN: 0, REOP: 0, WIP: 1, WCUST: 1, RSLVD: 2, CLSD: 3, CANC: 4 }[status];
}

/** A fault ticket as the legacy API shows it. */
export function renderFault(ticket: FaultTicket): Record<string, unknown> {
  return {
    TT_NO: ticket.TT_NO,
    CUST_NO: ticket.CUST_NO,
    CUST_TT_REF: ticket.CUST_TT_REF,
    ASSET_ID: ticket.ASSET_ID,
    SITE_ID: ticket.SITE_ID,
    ADDR_KEY: ticket.ADDR_KEY,
    FAULT_TYPE: ticket.FAULT_TYPE,
    SEVERITY: ticket.SEVERITY,
    PRIORITY: ticket.PRIORITY,
    IMPACT: ticket.IMPACT,
    DESCRIPTION: ticket.DESCRIPTION,
    CONTACT_NAME: ticket.CONTACT_NAME,
    CONTACT_PHONE: ticket.CONTACT_PHONE,
    CONTACT_EMAIL: ticket.CONTACT_EMAIL,
    OBSERVED: ticket.OBSERVED && formatLegacyTimestamp(ticket.OBSERVED),
    TT_STATUS: ticket.STATUS,
    STATUS_RSN: ticket.STATUS_RSN,
    INFO_REQ: ticket.INFO_REQ,
    RESOLUTION: ticket.RESOLUTION,
    INCIDENT_NO: ticket.INCIDENT_NO,
    OPENED: formatLegacyTimestamp(ticket.OPENED),
    TARGET_TS: formatLegacyTimestamp(addHours(ticket.OPENED, FAULT_RESTORE_HOURS[ticket.PRIORITY] ?? 24)),
    RESOLVED: ticket.RESOLVED && formatLegacyTimestamp(ticket.RESOLVED),
    CLOSED: ticket.CLOSED && formatLegacyTimestamp(ticket.CLOSED),
    CANCELLED: ticket.CANCELLED && formatLegacyTimestamp(ticket.CANCELLED),
    LAST_CHG: formatLegacyTimestamp(ticket.LAST_CHG),
    STATUS_HIST: ticket.STATUS_HIST.map(renderHistoryEntry),
    NOTES: ticket.NOTES.map((note) => ({ TS: formatLegacyTimestamp(note.TS), AUTHOR: note.AUTHOR, TEXT: note.TEXT })),
  };
}
