import express, { type Request, type Response, type Router } from 'express';
import { DateTime } from 'luxon';
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
import { formatLegacyTimestamp, LEGACY_TIME_ZONE } from './legacy-timestamp.js';
import type { SimContext } from './sim-context.js';
import type { WorkOrder, WorkOrderBook } from './work-order.js';

/**
 * Appointment ("Termin") status codes: `BEST` confirmed, `IN_ARBEIT` engineer on site, `ERLEDIGT` done, `VERPASST`
 * nobody let the engineer in, `FEHLGESCHL` the work failed, `STORNO` cancelled.
 */
export type AppointmentStatus = 'BEST' | 'IN_ARBEIT' | 'ERLEDIGT' | 'VERPASST' | 'FEHLGESCHL' | 'STORNO';
const STATUSES: readonly AppointmentStatus[] = ['BEST', 'IN_ARBEIT', 'ERLEDIGT', 'VERPASST', 'FEHLGESCHL', 'STORNO'];

/** A booked engineer visit for one work order. */
export interface Appointment {
  readonly TERMIN_NR: string;
  readonly CUST_NO: string;
  readonly WO_NO: string;
  VON: Date;
  BIS: Date;
  TERMIN_STATUS: AppointmentStatus;
  KONTAKT_NAME: string;
  /** What the contact is to the customer (free text, e.g. `siteContact`). */
  KONTAKT_ROLLE: string | null;
  KONTAKT_TEL: string | null;
  KONTAKT_MAIL: string | null;
  HINWEIS: string | null;
  readonly ANGELEGT: Date;
  GEAENDERT: Date;
}

/** The calendar's working blocks (Berlin wall clock), cut in 120-minute units; a visit never spans the lunch break. */
const BLOCKS: ReadonlyArray<readonly [number, number]> = [
  [8, 12],
  [13, 17],
];
const UNIT_MIN = 120;
/** Engineers per region (each can be at one place per unit). */
const ENGINEERS_PER_REGION = 1;
/** Visits are booked from the next working day on, at most this many days ahead, and a search shows at most this many slots. */
const MAX_WINDOW_DAYS = 62;
const MAX_SLOTS = 40;
const CONTACT_FIELDS = ['KONTAKT_NAME', 'KONTAKT_ROLLE', 'KONTAKT_TEL', 'KONTAKT_MAIL', 'HINWEIS'];

/** The calendar's state and what it reads: the appointments, the engineers' booked units, the work orders. */
interface CalendarState {
  readonly context: SimContext;
  readonly book: WorkOrderBook;
  readonly appointments: Map<string, Appointment>;
  /** `${REGION}|${unit start ms}` -> engineers booked */
  readonly taken: Map<string, number>;
}

// the appointment follows its work order: the engineer arrives, finishes, or the work order is closed
const FOLLOW: Partial<Record<WorkOrder['WO_STATUS'], AppointmentStatus>> = {
  IN_ARBEIT: 'IN_ARBEIT',
  ERLEDIGT: 'ERLEDIGT',
  NICHT_ERLEDIGT: 'FEHLGESCHL',
  STORNIERT: 'STORNO',
};

/**
 * The field engineers' calendar, mounted under `/bss/v2/appointments`: free slots of a work order's region
 * (`POST /slots`), booking (`POST /`), rescheduling (`POST /{TERMIN_NR}/reschedule`), cancelling
 * (`POST /{TERMIN_NR}/cancel`), list and inquiry. A unit of an engineer is booked at most once: checking and
 * taking it happen in one synchronous step, so of two concurrent bookings of one slot exactly one wins and the
 * other is refused (RC 8 on VON). Status changes are journalled as `APPT_STATUS`.
 */
export function createEngineerCalendar(context: SimContext, book: WorkOrderBook): Router {
  const state: CalendarState = { context, book, appointments: new Map(), taken: new Map() };
  book.onStatus((wo) => {
    const appt = wo.TERMIN_NR ? state.appointments.get(wo.TERMIN_NR) : undefined;
    const next = FOLLOW[wo.WO_STATUS];
    if (appt && next) setAppointmentStatus(state, appt, next, null);
  });
  const router = express.Router();
  router.post('/slots', createLegacyJsonParser(), (req: Request, res: Response) =>
    answerLegacy(res, () => findSlots(state, readLegacyFields(req.body, { source: 'body', allowed: ['CUST_NO', 'WO_NO', 'VON', 'BIS'] }))),
  );
  router.post('/', createLegacyJsonParser(), (req: Request, res: Response) =>
    answerLegacy(res, () =>
      bookAppointment(
        state,
        readLegacyFields(req.body, { source: 'body', allowed: ['CUST_NO', 'WO_NO', 'VON', 'BIS', ...CONTACT_FIELDS] }),
      ),
    ),
  );
  router.post('/:id/reschedule', createLegacyJsonParser(), (req: Request, res: Response) =>
    answerLegacy(res, () =>
      rescheduleAppointment(
        state,
        String(req.params['id']),
        readLegacyFields(req.body, { source: 'body', allowed: ['CUST_NO', 'VON', 'BIS', ...CONTACT_FIELDS] }),
      ),
    ),
  );
  router.post('/:id/cancel', createLegacyJsonParser(), (req: Request, res: Response) =>
    answerLegacy(res, () =>
      cancelAppointment(state, String(req.params['id']), readLegacyFields(req.body, { source: 'body', allowed: ['CUST_NO', 'GRUND'] })),
    ),
  );
  mountAppointmentReads(router, state);
  return router;
}

function unitsOf(wo: WorkOrder, from: Date): string[] {
  return Array.from({ length: wo.DAUER_MIN / UNIT_MIN }, (_, i) => `${wo.REGION}|${from.getTime() + i * UNIT_MIN * 60_000}`);
}

function isFree(state: CalendarState, keys: readonly string[]): boolean {
  return keys.every((k) => (state.taken.get(k) ?? 0) < ENGINEERS_PER_REGION);
}

function claim(state: CalendarState, keys: readonly string[], delta: number): void {
  for (const k of keys) state.taken.set(k, (state.taken.get(k) ?? 0) + delta);
}

function setAppointmentStatus(state: CalendarState, appt: Appointment, status: AppointmentStatus, reason: string | null): void {
  if (appt.TERMIN_STATUS === status) return;
  const old = appt.TERMIN_STATUS;
  appt.TERMIN_STATUS = status;
  appt.GEAENDERT = state.context.now();
  state.context.journal.record({
    EVT_TYPE: 'APPT_STATUS',
    CUST_NO: appt.CUST_NO,
    OBJ_ID: appt.TERMIN_NR,
    OLD_STATUS: old,
    NEW_STATUS: status,
    INFO: reason,
  });
}

function ownWorkOrder(state: CalendarState, reader: LegacyFieldReader, custNo: string): WorkOrder {
  const woNo = reader.requiredText('WO_NO', 20);
  const wo = state.book.get(woNo);
  if (!wo || wo.CUST_NO !== custNo) return reader.fail('WO_NO', `WO_NO ${woNo} unknown`);
  return wo;
}

function ownAppointment(state: CalendarState, reader: LegacyFieldReader, id: string): Appointment {
  const customer = requireLegacyCustomer(reader, state.context.seed.customers);
  const appt = state.appointments.get(id);
  if (!appt || appt.CUST_NO !== customer.CUST_NO) throw new LegacyNotFoundError('appointment unknown');
  return appt;
}

/** VON/BIS must be one slot of the calendar for this work order (a unit boundary, the work order's duration). */
function requestedSlot(state: CalendarState, reader: LegacyFieldReader, wo: WorkOrder): { from: Date; keys: string[] } {
  const from = reader.timestamp('VON') ?? reader.fail('VON', 'VON missing');
  const to = reader.timestamp('BIS') ?? reader.fail('BIS', 'BIS missing');
  if (to.getTime() - from.getTime() !== wo.DAUER_MIN * 60_000) reader.fail('BIS', `work order ${wo.WO_NO} needs ${wo.DAUER_MIN} minutes`);
  if (!slotStarts(from, to, wo.DAUER_MIN, earliestStart(state.context.now())).some((s) => s.getTime() === from.getTime())) {
    reader.fail('VON', `${formatLegacyTimestamp(from)} is not a slot of the engineers' calendar`);
  }
  return { from, keys: unitsOf(wo, from) };
}

// the engineer goes to the work order's place
function render(state: CalendarState, appt: Appointment): Record<string, unknown> {
  return renderAppointment(appt, state.book.get(appt.WO_NO));
}

/** `POST /slots`: the free slots of the work order's region between VON and BIS. */
function findSlots(state: CalendarState, reader: LegacyFieldReader): Record<string, unknown> {
  const customer = requireLegacyCustomer(reader, state.context.seed.customers);
  const wo = ownWorkOrder(state, reader, customer.CUST_NO);
  const from = reader.timestamp('VON') ?? reader.fail('VON', 'VON missing');
  const to = reader.timestamp('BIS') ?? reader.fail('BIS', 'BIS missing');
  if (to <= from) reader.fail('BIS', 'BIS must be after VON');
  if (to.getTime() - from.getTime() > MAX_WINDOW_DAYS * 86_400_000) reader.fail('BIS', `at most ${MAX_WINDOW_DAYS} days at once`);
  const slots = slotStarts(from, to, wo.DAUER_MIN, earliestStart(state.context.now()))
    .filter((start) => isFree(state, unitsOf(wo, start)))
    .slice(0, MAX_SLOTS)
    .map((start) => ({
      VON: formatLegacyTimestamp(start),
      BIS: formatLegacyTimestamp(new Date(start.getTime() + wo.DAUER_MIN * 60_000)),
    }));
  return { WO_NO: wo.WO_NO, REGION: wo.REGION, DAUER_MIN: wo.DAUER_MIN, SLOTS: slots };
}

/** `POST /`: books a visit for an open work order. */
function bookAppointment(state: CalendarState, reader: LegacyFieldReader): Record<string, unknown> {
  const { context, book } = state;
  const customer = requireLegacyCustomer(reader, context.seed.customers);
  const wo = ownWorkOrder(state, reader, customer.CUST_NO);
  if (wo.WO_STATUS !== 'OFFEN')
    reader.fail(
      'WO_NO',
      `work order ${wo.WO_NO} is ${wo.WO_STATUS}: ${wo.TERMIN_NR ? `visit ${wo.TERMIN_NR} already booked` : 'no visit needed'}`,
    );
  const contact = readContact(reader, undefined);
  const slot = requestedSlot(state, reader, wo);
  if (!isFree(state, slot.keys)) reader.fail('VON', 'slot already booked');
  claim(state, slot.keys, 1);
  const now = context.now();
  const appt: Appointment = {
    TERMIN_NR: context.nextNumber('TE'),
    CUST_NO: customer.CUST_NO,
    WO_NO: wo.WO_NO,
    VON: slot.from,
    BIS: new Date(slot.from.getTime() + wo.DAUER_MIN * 60_000),
    TERMIN_STATUS: 'BEST',
    ...contact,
    ANGELEGT: now,
    GEAENDERT: now,
  };
  state.appointments.set(appt.TERMIN_NR, appt);
  wo.TERMIN_NR = appt.TERMIN_NR;
  wo.GEPLANT_AM = appt.VON;
  context.journal.record({
    EVT_TYPE: 'APPT_STATUS',
    CUST_NO: appt.CUST_NO,
    OBJ_ID: appt.TERMIN_NR,
    OLD_STATUS: null,
    NEW_STATUS: 'BEST',
    INFO: `WO ${wo.WO_NO}`,
  });
  book.setStatus(wo, 'GEPLANT', `visit ${appt.TERMIN_NR}`);
  return { TERMIN: render(state, appt) };
}

/** `POST /:id/reschedule`: a new slot and/or new contact details for a booked visit. */
function rescheduleAppointment(state: CalendarState, id: string, reader: LegacyFieldReader): Record<string, unknown> {
  const appt = ownAppointment(state, reader, id);
  if (appt.TERMIN_STATUS !== 'BEST') throw new LegacyInputError('TERMIN_NR', `appointment ${appt.TERMIN_NR} is ${appt.TERMIN_STATUS}`);
  const wo = state.book.get(appt.WO_NO)!;
  const contact = readContact(reader, appt);
  if (reader.timestamp('VON') !== undefined || reader.timestamp('BIS') !== undefined) {
    const slot = requestedSlot(state, reader, wo);
    const old = unitsOf(wo, appt.VON);
    const fresh = slot.keys.filter((k) => !old.includes(k));
    if (!isFree(state, fresh)) reader.fail('VON', 'slot already booked');
    claim(state, fresh, 1);
    claim(
      state,
      old.filter((k) => !slot.keys.includes(k)),
      -1,
    );
    appt.VON = slot.from;
    appt.BIS = new Date(slot.from.getTime() + wo.DAUER_MIN * 60_000);
    wo.GEPLANT_AM = appt.VON;
  }
  Object.assign(appt, contact, { GEAENDERT: state.context.now() });
  return { TERMIN: render(state, appt) };
}

/** `POST /:id/cancel`: frees the slot; the work order is open again. */
function cancelAppointment(state: CalendarState, id: string, reader: LegacyFieldReader): Record<string, unknown> {
  const appt = ownAppointment(state, reader, id);
  if (appt.TERMIN_STATUS !== 'BEST')
    throw new LegacyInputError('TERMIN_NR', `appointment ${appt.TERMIN_NR} is ${appt.TERMIN_STATUS}: too late to cancel`);
  const wo = state.book.get(appt.WO_NO)!;
  claim(state, unitsOf(wo, appt.VON), -1);
  setAppointmentStatus(state, appt, 'STORNO', reader.text('GRUND', 200) ?? 'cancelled by the customer');
  wo.TERMIN_NR = null;
  wo.GEPLANT_AM = null;
  state.book.setStatus(wo, 'OFFEN', `visit ${appt.TERMIN_NR} cancelled`);
  return { TERMIN: render(state, appt) };
}

function mountAppointmentReads(router: Router, state: CalendarState): void {
  mountLegacyReads(router, {
    searchFields: ['CUST_NO', 'WO_NO', 'TERMIN_STATUS', ...PAGING_FIELDS],
    search(reader) {
      const customer = requireLegacyCustomer(reader, state.context.seed.customers);
      const woNo = reader.text('WO_NO', 20);
      const status = reader.code('TERMIN_STATUS', STATUSES);
      const matches = [...state.appointments.values()].filter(
        (a) =>
          a.CUST_NO === customer.CUST_NO &&
          (woNo === undefined || a.WO_NO === woNo) &&
          (status === undefined || a.TERMIN_STATUS === status),
      );
      const { page, ...paging } = pageLegacyList(reader, matches);
      return { ...paging, TERMINE: page.map((appt) => render(state, appt)) };
    },
    idField: 'TERMIN_NR',
    idMaxLength: 20,
    inquire: (reader, id) => ({ TERMIN: render(state, ownAppointment(state, reader, id)) }),
  });
}

function readContact(
  reader: LegacyFieldReader,
  current: Appointment | undefined,
): Pick<Appointment, 'KONTAKT_NAME' | 'KONTAKT_ROLLE' | 'KONTAKT_TEL' | 'KONTAKT_MAIL' | 'HINWEIS'> {
  const name = current ? (reader.text('KONTAKT_NAME', 60) ?? current.KONTAKT_NAME) : reader.requiredText('KONTAKT_NAME', 60);
  const phone = reader.text('KONTAKT_TEL', 30) ?? current?.KONTAKT_TEL ?? null;
  const mail = reader.text('KONTAKT_MAIL', 80) ?? current?.KONTAKT_MAIL ?? null;
  if (phone === null && mail === null) reader.fail('KONTAKT_TEL', 'KONTAKT_TEL or KONTAKT_MAIL missing');
  const role = reader.text('KONTAKT_ROLLE', 30) ?? current?.KONTAKT_ROLLE ?? null;
  return {
    KONTAKT_NAME: name,
    KONTAKT_ROLLE: role,
    KONTAKT_TEL: phone,
    KONTAKT_MAIL: mail,
    HINWEIS: reader.text('HINWEIS', 500) ?? current?.HINWEIS ?? null,
  };
}

/** Engineers are dispatched from the next working day on. */
function earliestStart(now: Date): Date {
  let day = DateTime.fromJSDate(now, { zone: LEGACY_TIME_ZONE }).startOf('day').plus({ days: 1 });
  while (day.weekday > 5) day = day.plus({ days: 1 });
  return day.toJSDate();
}

/** Starts of every calendar slot of `durationMin` lying wholly inside [from, to] and not before `earliest`. */
export function slotStarts(from: Date, to: Date, durationMin: number, earliest: Date): Date[] {
  const starts: Date[] = [];
  const last = to.getTime() - durationMin * 60_000;
  let day = DateTime.fromJSDate(new Date(Math.max(from.getTime(), earliest.getTime())), {
    zone: LEGACY_TIME_ZONE,
  }).startOf('day');
  const lastDay = DateTime.fromJSDate(to, { zone: LEGACY_TIME_ZONE }).endOf('day');
  for (; day <= lastDay && starts.length < 500; day = day.plus({ days: 1 })) {
    if (day.weekday > 5) continue;
    for (const [open, close] of BLOCKS) {
      for (let h = open; h * 60 + durationMin <= close * 60; h += UNIT_MIN / 60) {
        const start = day.set({ hour: h }).toJSDate();
        if (start.getTime() >= Math.max(from.getTime(), earliest.getTime()) && start.getTime() <= last) starts.push(start);
      }
    }
  }
  return starts;
}

/** An appointment as the legacy API shows it (dates `dd.MM.yyyy HH:mm` Berlin time). */
export function renderAppointment(appt: Appointment, wo: WorkOrder | undefined): Record<string, unknown> {
  return {
    ...appt,
    SITE_ID: wo?.SITE_ID ?? null,
    ADDR_KEY: wo?.ADDR_KEY ?? null,
    VON: formatLegacyTimestamp(appt.VON),
    BIS: formatLegacyTimestamp(appt.BIS),
    ANGELEGT: formatLegacyTimestamp(appt.ANGELEGT),
    GEAENDERT: formatLegacyTimestamp(appt.GEAENDERT),
  };
}
