/**
 * Appointments of the simulated seller (Appointment API: Grace v2, Kylie v3): a few work orders per buyer (OAuth
 * client) at addresses of its book, two-hour technician slots on weekdays (08-10, 10-12, 13-15, 15-17 UTC), the slot
 * search, booking (a slot is booked once: no double booking), retrieval and cancellation (which frees the slot), and
 * `appointmentStatusChangeEvent`s to the registered hubs when an appointment is cancelled or the control
 * (`/_sim/appointments/{id}/status`) moves it. A buyer sees only its own work orders and appointments.
 */
import { asRecord, errorMessage, recordOrUndefined, recordsOrUndefined } from '../../../src/json/unknown-values.js';
import express, { type Request, type Response } from 'express';
import { issue, type SellerFeature, type SellerFeatureContext } from './seller-feature.js';
import { SellerRefusal } from './seller-domain.js';

type Json = Record<string, unknown>;

/** AppointmentStatusType */
export type AppointmentStatus = 'confirmed' | 'inProgress' | 'cancelled' | 'missed' | 'failed' | 'completed';
const STATUSES: readonly AppointmentStatus[] = ['confirmed', 'inProgress', 'cancelled', 'missed', 'failed', 'completed'];

/** Test and demo control of the seller's appointments. */
export interface SellerAppointmentControl {
  /** ids of a buyer's work orders (default: the first client) */
  workOrderIds(client?: string): string[];
  /** moves an appointment to `to`; notifies the hubs */
  setAppointmentStatus(id: string, to: AppointmentStatus): Json;
}

interface WorkOrder {
  id: string;
  client: string;
  addressId: string;
}
interface AppointmentRec {
  id: string;
  client: string;
  workOrder: WorkOrder;
  start: string;
  end: string;
  status: AppointmentStatus;
  contacts: Json[];
  notes?: Json[];
}

/** slot starts (UTC hours) of a working day; each slot lasts two hours */
const SLOT_HOURS = [8, 10, 13, 15];
const HOUR = 3_600_000;
const MAX_SLOTS = 20;

/** The appointment API of the seller (absent from Billie). */
export const appointmentFeature: SellerFeature<SellerAppointmentControl> = {
  api: 'appointment',
  releases: {
    grace: { version: 'v2', notifications: { api: 'appointmentNotification', version: 'v2' }, hubRetrieve: true },
    kylie: { version: 'v3', notifications: { api: 'appointmentNotification', version: 'v3' }, hubRetrieve: true },
  },
  install: installAppointments,
};

/** The appointment API's state: the buyers' work orders and appointments, and what it reads of the seller. */
interface AppointmentsState {
  readonly ctx: SellerFeatureContext;
  readonly base: string;
  readonly workOrders: Map<string, WorkOrder>;
  readonly appointments: Map<string, AppointmentRec>;
  apCounter: number;
}

function installAppointments(ctx: SellerFeatureContext): SellerAppointmentControl {
  const state: AppointmentsState = {
    ctx,
    base: `/mefApi/sonata/appointment/${appointmentFeature.releases[ctx.release]!.version}`,
    workOrders: seedWorkOrders(ctx),
    appointments: new Map(),
    apCounter: 0,
  };
  registerAppointmentRoutes(state);
  const control: SellerAppointmentControl = {
    workOrderIds: (client = ctx.clients[0] ?? 'buyer') =>
      [...state.workOrders.values()].filter((w) => w.client === client).map((w) => w.id),
    setAppointmentStatus: (id, to) => setAppointmentStatus(state, id, to),
  };
  mountAppointmentControl(state, control);
  return control;
}

/** three work orders per buyer, at the addresses of the seller's book */
function seedWorkOrders(ctx: SellerFeatureContext): Map<string, WorkOrder> {
  const workOrders = new Map<string, WorkOrder>();
  let woCounter = 1000;
  for (const client of ctx.clients) {
    for (let i = 0; i < 3; i++) {
      const id = `${ctx.prefix}-WO-${++woCounter}`;
      workOrders.set(id, {
        id,
        client,
        addressId: ctx.addressIds[i % Math.max(ctx.addressIds.length, 1)] ?? 'ADR-UNKNOWN',
      });
    }
  }
  return workOrders;
}

function booked(state: AppointmentsState, start: string, except?: string): boolean {
  return [...state.appointments.values()].some((a) => a.id !== except && a.start === start && a.status !== 'cancelled');
}

/** every free slot within [from, to), from now on, at most MAX_SLOTS */
function freeSlots(state: AppointmentsState, from: number, to: number): Array<{ start: string; end: string }> {
  const out: Array<{ start: string; end: string }> = [];
  const now = state.ctx.now().getTime();
  const day = new Date(from);
  day.setUTCHours(0, 0, 0, 0);
  for (let d = day.getTime(); d < to && out.length < MAX_SLOTS; d += 24 * HOUR) {
    const weekday = new Date(d).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    for (const h of SLOT_HOURS) {
      const start = d + h * HOUR;
      const end = start + 2 * HOUR;
      if (start < from || end > to || start <= now) continue;
      const iso = new Date(start).toISOString();
      if (!booked(state, iso)) out.push({ start: iso, end: new Date(end).toISOString() });
      if (out.length >= MAX_SLOTS) break;
    }
  }
  return out;
}

function ownWorkOrder(state: AppointmentsState, client: string, body: Json): WorkOrder {
  const id = recordOrUndefined(body.workOrder)?.id;
  const wo = typeof id === 'string' ? state.workOrders.get(id) : undefined;
  if (!wo || wo.client !== client)
    throw new SellerRefusal(422, [issue('referenceNotFound', '/workOrder/id', `no work order ${String(id)} of yours`)]);
  return wo;
}

function period(v: unknown, path: string): { from: number; to: number } {
  const p = asRecord(v);
  const from = Date.parse(String(p.startDateTime));
  const to = Date.parse(String(p.endDateTime));
  if (Number.isNaN(from) || Number.isNaN(to) || to <= from)
    throw new SellerRefusal(422, [issue('invalidValue', path, 'a time slot needs a start before its end')]);
  return { from, to };
}

function place(state: AppointmentsState, wo: WorkOrder): Json {
  return state.ctx.shapes === 'kylie'
    ? { role: 'INSTALL_LOCATION', place: { '@type': 'GeographicAddressRef', id: wo.addressId } }
    : { '@type': 'GeographicAddressRef', role: 'INSTALL_LOCATION', id: wo.addressId };
}

function render(state: AppointmentsState, a: AppointmentRec): Json {
  return {
    id: a.id,
    href: `${state.base}/appointment/${a.id}`,
    relatedPlace: place(state, a.workOrder),
    status: a.status,
    validFor: { startDateTime: a.start, endDateTime: a.end },
    relatedContactInformation: a.contacts,
    workOrder: { id: a.workOrder.id },
    ...(a.notes && { note: a.notes }),
  };
}

function own(state: AppointmentsState, client: string, id: string): AppointmentRec {
  const a = state.appointments.get(id);
  if (!a || a.client !== client) throw new SellerRefusal(404, [issue('notFound', '', `no appointment ${id}`)]);
  return a;
}

function notify(state: AppointmentsState, a: AppointmentRec): void {
  // Kylie's status event carries the status (its href must be an absolute URI, so it is left out)
  state.ctx.publish(
    'appointmentStatusChangeEvent',
    state.ctx.typedEvents ? { id: a.id, status: a.status } : { id: a.id, href: `${state.base}/appointment/${a.id}` },
  );
}

/** The buyer's routes: slot search, booking, retrieval, cancellation. */
function registerAppointmentRoutes(state: AppointmentsState): void {
  const { ctx } = state;
  ctx.route('post', '/searchTimeSlot', ({ body, client }) => {
    const wo = ownWorkOrder(state, client, body);
    const requested = recordsOrUndefined(body.requestedTimeSlot) ?? [];
    const available = requested
      .flatMap((r, i) => {
        const { from, to } = period(r.validFor, `/requestedTimeSlot/${i}/validFor`);
        return freeSlots(state, from, to);
      })
      .slice(0, MAX_SLOTS);
    return {
      status: 201,
      body: {
        workOrder: { id: wo.id },
        requestedTimeSlot: requested,
        availableTimeSlot: available.map((s) => ({ validFor: { startDateTime: s.start, endDateTime: s.end } })),
      },
    };
  });
  ctx.route('post', '/appointment', ({ body, client }) => ({ status: 201, body: render(state, bookAppointment(state, client, body)) }));
  ctx.route('get', '/appointment/{id}', ({ params, client }) => ({
    status: 200,
    body: render(state, own(state, client, params.id!)),
  }));
  ctx.route(
    'post',
    '/appointment/{id}/cancel',
    ({ params, client }) => {
      const a = own(state, client, params.id!);
      if (a.status !== 'confirmed')
        throw new SellerRefusal(422, [issue('invalidValue', '/status', `an appointment ${a.status} cannot be cancelled`)]);
      a.status = 'cancelled';
      notify(state, a);
      return { status: 204 };
    },
    { bodyless: true },
  );
}

function bookAppointment(state: AppointmentsState, client: string, body: Json): AppointmentRec {
  const wo = ownWorkOrder(state, client, body);
  const { from, to } = period(body.validFor, '/validFor');
  const start = new Date(from).toISOString();
  if (!freeSlots(state, from, to).some((s) => s.start === start && Date.parse(s.end) === to)) {
    const reason = booked(state, start)
      ? 'this slot is already booked'
      : 'not one of the slots offered (search them with POST /searchTimeSlot)';
    throw new SellerRefusal(422, [issue('invalidValue', '/validFor', reason)]);
  }
  const id = `${state.ctx.prefix}-APT-${String(++state.apCounter).padStart(4, '0')}`;
  const rec: AppointmentRec = {
    id,
    client,
    workOrder: wo,
    start,
    end: new Date(to).toISOString(),
    status: 'confirmed',
    contacts: recordsOrUndefined(body.relatedContactInformation) ?? [],
    ...(Array.isArray(body.note) && { notes: body.note as Json[] }),
  };
  state.appointments.set(id, rec);
  return rec;
}

function setAppointmentStatus(state: AppointmentsState, id: string, to: AppointmentStatus): Json {
  const a = state.appointments.get(id);
  if (!a) throw new Error(`no appointment ${id}`);
  if (!STATUSES.includes(to)) throw new Error(`unknown appointment status ${String(to)} (${STATUSES.join(', ')})`);
  a.status = to;
  notify(state, a);
  return render(state, a);
}

function mountAppointmentControl(state: AppointmentsState, control: SellerAppointmentControl): void {
  // demo: curl <seller>/_sim/work-orders  and  -X POST <seller>/_sim/appointments/<id>/status -d '{"to":"completed"}'
  state.ctx.app.get('/_sim/work-orders', (_req: Request, res: Response) => {
    res.json([...state.workOrders.values()]);
  });
  state.ctx.app.post('/_sim/appointments/:id/status', express.json(), (req: Request, res: Response) => {
    try {
      res.json(
        control.setAppointmentStatus(String(req.params.id), (req.body as { to?: AppointmentStatus } | undefined)?.to ?? 'completed'),
      );
    } catch (err) {
      res.status(404).json({ code: 'notFound', reason: errorMessage(err) });
    }
  });
}
