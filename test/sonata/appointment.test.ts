import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayWithTokens } from '../support/seller-tests.js';
import type { TestGateway } from '../support/test-gateway.js';
import { expectPaging, legacy } from './product-order-support.js';
import { APPOINTMENT_BASE, expectSpecValid, orderWithWorkOrder, WORK_ORDER_BASE, workingDay } from './workforce-support.js';

/**
 * Appointments (Grace v2 acme-telecom, Kylie v3 globex-networks) against the legacy BSS's engineer calendar: time
 * slot search within the Buyer's windows (any UTC offset in, UTC out), booking, retrieve/list, rescheduling and
 * cancelling, a slot never booked twice, another partner's appointment a 404, and bad input refused with the
 * right Sonata error. Every body is checked against the official spec.
 */
const API = 'appointment';
const G = APPOINTMENT_BASE.grace;
const K = APPOINTMENT_BASE.kylie;
const CONTACT = { role: 'siteContact', name: 'Sam Site', number: '+49 69 1234567', emailAddress: 'sam@acme.example' };
let gw: TestGateway;
let acme: string;
let globex: string;

beforeAll(async () => {
  ({ gw, acme, globex } = await startGatewayWithTokens());
}, 120_000);
afterAll(async () => {
  await gw?.close();
});

/** The whole (UTC) day as one window. */
function dayWindow(day: string) {
  return { validFor: { startDateTime: `${day}T00:00:00Z`, endDateTime: `${day}T23:59:00Z` } };
}

/** Berlin wall-clock hour of an instant. */
function berlinHour(iso: string): number {
  return Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', hour12: false }).format(new Date(iso)));
}

describe('Grace (acme-telecom): appointment v2', () => {
  const day = workingDay(9);
  let workOrderId: string;
  let slots: Array<{ validFor: { startDateTime: string; endDateTime: string } }>;
  let appointmentId: string;

  it("searches time slots: the work order's duration, inside the windows asked for, answered in UTC", async () => {
    ({ workOrderId } = await orderWithWorkOrder(gw, acme, 'grace', 'ACME-APPT-1'));
    const res = await gw.call('POST', `${G}/searchTimeSlot`, {
      token: acme,
      body: { workOrder: { id: workOrderId }, requestedTimeSlot: [dayWindow(day)] },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expectSpecValid('grace', API, 'createSearchTimeSlot', 201, res.body);
    expect(res.body.workOrder).toEqual({ id: workOrderId, href: `${WORK_ORDER_BASE.grace}/workorder/${workOrderId}` });
    expect(res.body.requestedTimeSlot).toEqual([
      { validFor: { startDateTime: `${day}T00:00:00.000Z`, endDateTime: `${day}T23:59:00.000Z` } },
    ]);
    slots = res.body.availableTimeSlot;
    // an installation takes 4 hours: the morning (08-12) and the afternoon (13-17) visit, Berlin time
    expect(slots).toHaveLength(2);
    for (const s of slots) expect(Date.parse(s.validFor.endDateTime) - Date.parse(s.validFor.startDateTime)).toBe(4 * 3600_000);
    expect(slots.map((s) => berlinHour(s.validFor.startDateTime))).toEqual([8, 13]);
    expect(slots[0]!.validFor.startDateTime).toMatch(/Z$/);
  });

  it('honours windows given with any UTC offset: only slots wholly inside one of them', async () => {
    // 13:00-17:00 Berlin expressed in +05:30, and a window too short for any visit
    const afternoon = new Date(slots[1]!.validFor.startDateTime);
    const local = (d: Date) => new Date(d.getTime() + 5.5 * 3600_000).toISOString().slice(0, 19) + '+05:30';
    const res = await gw.call('POST', `${G}/searchTimeSlot`, {
      token: acme,
      body: {
        workOrder: { id: workOrderId },
        requestedTimeSlot: [
          {
            validFor: {
              startDateTime: local(afternoon),
              endDateTime: local(new Date(afternoon.getTime() + 4 * 3600_000)),
            },
          },
          { validFor: { startDateTime: `${day}T07:00:00Z`, endDateTime: `${day}T08:00:00Z` } },
        ],
      },
    });
    expect(res.status).toBe(201);
    expectSpecValid('grace', API, 'createSearchTimeSlot', 201, res.body);
    expect(res.body.requestedTimeSlot[0].validFor.startDateTime).toBe(afternoon.toISOString());
    expect(res.body.availableTimeSlot).toEqual([slots[1]]);
  });

  it("books the morning visit: confirmed, at the work order's site; the work order is planned", async () => {
    const res = await gw.call('POST', `${G}/appointment`, {
      token: acme,
      body: {
        workOrder: { id: workOrderId },
        validFor: slots[0]!.validFor,
        relatedContactInformation: [CONTACT],
        note: [{ id: '1', author: 'Sam', date: new Date().toISOString(), source: 'buyer', text: 'Ring at gate 2' }],
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expectSpecValid('grace', API, 'createAppointment', 201, res.body);
    appointmentId = res.body.id;
    expect(res.body).toMatchObject({
      href: `${G}/appointment/${appointmentId}`,
      status: 'confirmed',
      validFor: {
        startDateTime: new Date(slots[0]!.validFor.startDateTime).toISOString(),
        endDateTime: new Date(slots[0]!.validFor.endDateTime).toISOString(),
      },
      workOrder: { id: workOrderId },
      relatedPlace: { '@type': 'GeographicSiteRef', id: 'ST-100001', role: 'appointmentPlace' },
      relatedContactInformation: [{ role: 'siteContact', name: 'Sam Site', number: '+49691234567', emailAddress: 'sam@acme.example' }],
    });
    const wo = await gw.call('GET', `${WORK_ORDER_BASE.grace}/workorder/${workOrderId}`, { token: acme });
    expect(wo.body).toMatchObject({
      state: 'planned',
      plannedExecutionDate: res.body.validFor.startDateTime,
      appointment: [{ id: appointmentId }],
    });
    expect((await legacy(gw, `/appointments/${appointmentId}?CUST_NO=C-100042`)).TERMIN).toMatchObject({
      HINWEIS: 'Ring at gate 2',
      TERMIN_STATUS: 'BEST',
    });
  });

  it('the booked slot is gone for the next search and the next booking (another work order in the region)', async () => {
    const again = await gw.call('POST', `${G}/searchTimeSlot`, {
      token: acme,
      body: { workOrder: { id: workOrderId }, requestedTimeSlot: [dayWindow(day)] },
    });
    expect(again.body.availableTimeSlot).toEqual([slots[1]]);
    const other = await orderWithWorkOrder(gw, acme, 'grace', 'ACME-APPT-2');
    const res = await gw.call('POST', `${G}/appointment`, {
      token: acme,
      body: {
        workOrder: { id: other.workOrderId },
        validFor: slots[0]!.validFor,
        relatedContactInformation: [CONTACT],
      },
    });
    expect(res.status).toBe(422);
    expectSpecValid('grace', API, 'createAppointment', 422, res.body);
    expect(res.body).toEqual([expect.objectContaining({ code: 'invalidValue', propertyPath: '/validFor/startDateTime' })]);
    // one visit per work order
    const second = await gw.call('POST', `${G}/appointment`, {
      token: acme,
      body: { workOrder: { id: workOrderId }, validFor: slots[1]!.validFor, relatedContactInformation: [CONTACT] },
    });
    expect(second.status).toBe(422);
    expect(second.body[0]).toMatchObject({ code: 'invalidValue', propertyPath: '/workOrder/id' });
  });

  it('retrieves and lists (work order, status, visit window filters, paging); another partner gets 404', async () => {
    const got = await gw.call('GET', `${G}/appointment/${appointmentId}`, { token: acme });
    expect(got.status).toBe(200);
    expectSpecValid('grace', API, 'retrieveAppointment', 200, got.body);
    const list = await gw.call('GET', `${G}/appointment?workOrderId=${workOrderId}&status=confirmed`, { token: acme });
    expect(list.status).toBe(200);
    expectSpecValid('grace', API, 'listAppointment', 200, list.body);
    expect(list.body.map((a: { id: string }) => a.id)).toEqual([appointmentId]);
    expectPaging(list.headers, 1, 1);
    const before = await gw.call('GET', `${G}/appointment?validFor.lt=${encodeURIComponent(`${day}T00:00:00Z`)}`, {
      token: acme,
    });
    expect(before.body).toEqual([]);
    const within = await gw.call(
      'GET',
      `${G}/appointment?validFor.gt=${encodeURIComponent(`${day}T00:00:00Z`)}&geographicSiteId=ST-100001`,
      { token: acme },
    );
    expect(within.body.map((a: { id: string }) => a.id)).toEqual([appointmentId]);
    const foreign = await gw.call('GET', `${K}/appointment/${appointmentId}`, { token: globex });
    expect(foreign.status).toBe(404);
    expectSpecValid('kylie', API, 'retrieveAppointment', 404, foreign.body);
    const foreignPatch = await gw.call('PATCH', `${K}/appointment/${appointmentId}`, {
      token: globex,
      body: { relatedContactInformation: [CONTACT] },
    });
    expect(foreignPatch.status).toBe(404);
    const foreignSearch = await gw.call('POST', `${K}/searchTimeSlot`, {
      token: globex,
      body: { workOrder: { id: workOrderId }, requestedTimeSlot: [dayWindow(day)] },
    });
    expect(foreignSearch.status).toBe(422);
    expect(foreignSearch.body[0]).toMatchObject({ code: 'invalidValue', propertyPath: '/workOrder/id' });
  });

  it('reschedules to the afternoon (the morning is free again) and changes the contact', async () => {
    const res = await gw.call('PATCH', `${G}/appointment/${appointmentId}`, {
      token: acme,
      body: { validFor: slots[1]!.validFor, relatedContactInformation: [{ ...CONTACT, name: 'Kim Site' }] },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expectSpecValid('grace', API, 'patchAppointment', 200, res.body);
    expect(res.body).toMatchObject({
      status: 'confirmed',
      validFor: { startDateTime: new Date(slots[1]!.validFor.startDateTime).toISOString() },
    });
    expect(res.body.relatedContactInformation[0].name).toBe('Kim Site');
    const free = await gw.call('POST', `${G}/searchTimeSlot`, {
      token: acme,
      body: { workOrder: { id: workOrderId }, requestedTimeSlot: [dayWindow(day)] },
    });
    expect(free.body.availableTimeSlot).toEqual([slots[0]]);
  });

  it('cancels: 204, the appointment is cancelled, the slot free, the work order open again; a second cancel is refused', async () => {
    const res = await gw.call('POST', `${G}/appointment/${appointmentId}/cancel`, { token: acme });
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
    const got = await gw.call('GET', `${G}/appointment/${appointmentId}`, { token: acme });
    expect(got.body.status).toBe('cancelled');
    expectSpecValid('grace', API, 'retrieveAppointment', 200, got.body);
    const wo = await gw.call('GET', `${WORK_ORDER_BASE.grace}/workorder/${workOrderId}`, { token: acme });
    expect(wo.body.state).toBe('open');
    expect(wo.body.plannedExecutionDate).toBeUndefined();
    const again = await gw.call('POST', `${G}/appointment/${appointmentId}/cancel`, { token: acme });
    expect(again.status).toBe(422);
    expectSpecValid('grace', API, 'cancelAppointment', 422, again.body);
    const patch = await gw.call('PATCH', `${G}/appointment/${appointmentId}`, {
      token: acme,
      body: { validFor: slots[0]!.validFor },
    });
    expect(patch.status).toBe(422);
  });

  it('refuses bad input with the Sonata error naming the property', async () => {
    const cases: Array<[string, string, unknown, number, string, string?]> = [
      [
        'a window ending before it starts',
        '/searchTimeSlot',
        {
          workOrder: { id: workOrderId },
          requestedTimeSlot: [{ validFor: { startDateTime: `${day}T12:00:00Z`, endDateTime: `${day}T08:00:00Z` } }],
        },
        422,
        'invalidValue',
        '/requestedTimeSlot/0/validFor/endDateTime',
      ],
      [
        'an unknown work order',
        '/searchTimeSlot',
        { workOrder: { id: 'AA-2026-999999' }, requestedTimeSlot: [dayWindow(day)] },
        422,
        'invalidValue',
        '/workOrder/id',
      ],
      [
        'a visit off the calendar grid',
        '/appointment',
        {
          workOrder: { id: workOrderId },
          validFor: { startDateTime: `${day}T09:15:00Z`, endDateTime: `${day}T13:15:00Z` },
          relatedContactInformation: [CONTACT],
        },
        422,
        'invalidValue',
        '/validFor/startDateTime',
      ],
      [
        'a visit shorter than the work',
        '/appointment',
        {
          workOrder: { id: workOrderId },
          validFor: {
            startDateTime: slots[0]!.validFor.startDateTime,
            endDateTime: new Date(Date.parse(slots[0]!.validFor.startDateTime) + 3600_000).toISOString(),
          },
          relatedContactInformation: [CONTACT],
        },
        422,
        'invalidValue',
        '/validFor/endDateTime',
      ],
    ];
    for (const [what, path, body, status, code, pointer] of cases) {
      const res = await gw.call('POST', `${G}${path}`, { token: acme, body });
      expect(res.status, what).toBe(status);
      expect(res.body[0], what).toMatchObject({ code, propertyPath: pointer });
    }
    const noWindow = await gw.call('POST', `${G}/searchTimeSlot`, {
      token: acme,
      body: { workOrder: { id: workOrderId } },
    });
    expect([400, 422]).toContain(noWindow.status);
    const attachment = await gw.call('POST', `${G}/appointment`, {
      token: acme,
      body: {
        workOrder: { id: workOrderId },
        validFor: slots[0]!.validFor,
        relatedContactInformation: [CONTACT],
        attachment: [
          {
            author: 'a',
            creationDate: new Date().toISOString(),
            name: 'plan.pdf',
            source: 'buyer',
            url: 'https://x.example/p.pdf',
          },
        ],
      },
    });
    expect([400, 422]).toContain(attachment.status);
    const badQuery = await gw.call('GET', `${G}/appointment?status=done`, { token: acme });
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.code).toBe('invalidQuery');
  });
});

describe('Kylie (globex-networks): appointment v3', () => {
  it('searches, books and retrieves; the place is a RelatedPlaceRefOrQuery', async () => {
    const day = workingDay(10);
    const { workOrderId } = await orderWithWorkOrder(gw, globex, 'kylie', 'GLX-APPT-1');
    const search = await gw.call('POST', `${K}/searchTimeSlot`, {
      token: globex,
      body: { workOrder: { id: workOrderId }, requestedTimeSlot: [dayWindow(day)] },
    });
    expect(search.status, JSON.stringify(search.body)).toBe(201);
    expectSpecValid('kylie', API, 'createSearchTimeSlot', 201, search.body);
    const slot = search.body.availableTimeSlot[0];
    const booked = await gw.call('POST', `${K}/appointment`, {
      token: globex,
      body: {
        workOrder: { id: workOrderId },
        validFor: slot.validFor,
        relatedContactInformation: [{ ...CONTACT, number: '+44 20 7946 0000' }],
      },
    });
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    expectSpecValid('kylie', API, 'createAppointment', 201, booked.body);
    expect(booked.body.relatedPlace).toEqual({
      role: 'appointmentPlace',
      place: { '@type': 'GeographicSiteRef', id: 'ST-100003' },
    });
    const got = await gw.call('GET', `${K}/appointment/${booked.body.id}`, { token: globex });
    expectSpecValid('kylie', API, 'retrieveAppointment', 200, got.body);
    const list = await gw.call('GET', `${K}/appointment?workOrderId=${workOrderId}`, { token: globex });
    expectSpecValid('kylie', API, 'listAppointment', 200, list.body);
    expect(list.body).toHaveLength(1);
    const patched = await gw.call('PATCH', `${K}/appointment/${booked.body.id}`, {
      token: globex,
      body: { note: [{ id: '1', author: 'Kim', date: new Date().toISOString(), source: 'buyer', text: 'Dock 4' }] },
    });
    expect(patched.status).toBe(200);
    expectSpecValid('kylie', API, 'patchAppointment', 200, patched.body);
    expect((await gw.call('POST', `${K}/appointment/${booked.body.id}/cancel`, { token: globex })).status).toBe(204);
  });
});
