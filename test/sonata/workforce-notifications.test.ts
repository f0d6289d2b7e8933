import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startListener, type ReceivedCall, type TestListener } from '../notify/support.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { APPOINTMENT_BASE, expectNotificationValid, orderWithWorkOrder, WORK_ORDER_BASE, workingDay } from './workforce-support.js';

/**
 * Work order and appointment notifications: the legacy BSS reports the work orders its field service opens and the
 * visits' status changes; the gateway adopts them for the partner whose customer number they carry and notifies
 * its subscribed listener (Grace: reference events with buyerId/sellerId; Kylie: typed events with the new
 * state). Every notification is checked against the official notification file.
 */
let gw: TestGateway;
let listener: TestListener;
const CONTACT = { role: 'siteContact', name: 'Sam Site', number: '+49 69 1234567', emailAddress: 'sam@acme.example' };

beforeAll(async () => {
  gw = await startTestGateway();
  listener = await startListener();
}, 120_000);
afterAll(async () => {
  await gw?.close();
  await listener?.close();
});

/** Waits until the listener got the notifications `match` accepts, `n` of them; returns those. */
async function received(n: number, match: (c: ReceivedCall) => boolean): Promise<ReceivedCall[]> {
  for (let total = 1; ; total++) {
    const calls = await listener.waitForCalls(total, 10_000);
    const mine = calls.filter(match);
    if (mine.length >= n) return mine;
  }
}
const eventOf = (c: ReceivedCall) => c.body as { eventType: string; event: Record<string, string> };

describe.each(['grace', 'kylie'] as const)('%s', (release) => {
  const partner = release === 'grace' ? 'acme' : 'globex';
  const notificationVersion = release === 'grace' ? 'v2' : 'v3';

  it('a new work order: created and appointment-required events; booking it: planned; cancelling the visit: cancelled and open again', async () => {
    const token = await gw.token(partner);
    for (const [base, query] of [
      [WORK_ORDER_BASE[release], 'eventType=workOrderCreateEvent,workOrderStateChangeEvent,workOrderAppointmentRequiredEvent'],
      [APPOINTMENT_BASE[release], 'eventType=appointmentStatusChangeEvent'],
    ] as const) {
      const hub = await gw.call('POST', `${base}/hub`, {
        token,
        body: { callback: `${listener.origin}/${release}`, query },
      });
      expect(hub.status, JSON.stringify(hub.body)).toBe(201);
    }
    const { workOrderId } = await orderWithWorkOrder(gw, token, release, `${partner.toUpperCase()}-WON-1`);
    const aboutWorkOrder = (c: ReceivedCall) => eventOf(c).event.id === workOrderId;
    const opened = await received(2, aboutWorkOrder);
    expect(opened.map((c) => c.url.split('?')[0]).sort()).toEqual([
      `/${release}/mefApi/sonata/workOrderNotification/${notificationVersion}/listener/workOrderAppointmentRequiredEvent`,
      `/${release}/mefApi/sonata/workOrderNotification/${notificationVersion}/listener/workOrderCreateEvent`,
    ]);
    for (const c of opened) {
      expectNotificationValid(release, 'workOrderNotification', eventOf(c).eventType, c.body);
      expect(eventOf(c).event.href).toContain(`${WORK_ORDER_BASE[release]}/workorder/${workOrderId}`);
    }

    const day = workingDay(12);
    const search = await gw.call('POST', `${APPOINTMENT_BASE[release]}/searchTimeSlot`, {
      token,
      body: {
        workOrder: { id: workOrderId },
        requestedTimeSlot: [{ validFor: { startDateTime: `${day}T00:00:00Z`, endDateTime: `${day}T23:59:00Z` } }],
      },
    });
    const booked = await gw.call('POST', `${APPOINTMENT_BASE[release]}/appointment`, {
      token,
      body: {
        workOrder: { id: workOrderId },
        validFor: search.body.availableTimeSlot[0].validFor,
        relatedContactInformation: [CONTACT],
      },
    });
    expect(booked.status).toBe(201);
    const planned = await received(3, aboutWorkOrder);
    const change = eventOf(planned[2]!);
    expect(change.eventType).toBe('workOrderStateChangeEvent');
    expectNotificationValid(release, 'workOrderNotification', change.eventType, planned[2]!.body);
    if (release === 'kylie') expect(change.event.state).toBe('planned');
    else expect(change.event).toMatchObject({ buyerId: 'ACME-DE-0042', sellerId: 'NETCORE' });

    expect((await gw.call('POST', `${APPOINTMENT_BASE[release]}/appointment/${booked.body.id}/cancel`, { token })).status).toBe(204);
    const [cancelled] = await received(1, (c) => eventOf(c).event.id === booked.body.id);
    expect(cancelled!.url.split('?')[0]).toBe(
      `/${release}/mefApi/sonata/appointmentNotification/${notificationVersion}/listener/appointmentStatusChangeEvent`,
    );
    expectNotificationValid(release, 'appointmentNotification', 'appointmentStatusChangeEvent', cancelled!.body);
    if (release === 'kylie') expect(eventOf(cancelled!).event.status).toBe('cancelled');
    // the work order is open again: a state change and, again, an appointment to book
    const reopened = await received(5, aboutWorkOrder);
    expect(
      reopened
        .slice(3)
        .map((c) => eventOf(c).eventType)
        .sort(),
    ).toEqual(['workOrderAppointmentRequiredEvent', 'workOrderStateChangeEvent']);
    for (const c of reopened.slice(3)) expectNotificationValid(release, 'workOrderNotification', eventOf(c).eventType, c.body);

    // the BSS's whole journal applied again (a poll after the callbacks) adopts nothing twice and notifies nothing
    // again: the next notification about the work order is the one of a fresh booking
    await gw.gateway.pollLegacyEvents();
    const rebooked = await gw.call('POST', `${APPOINTMENT_BASE[release]}/appointment`, {
      token,
      body: {
        workOrder: { id: workOrderId },
        validFor: search.body.availableTimeSlot[0].validFor,
        relatedContactInformation: [CONTACT],
      },
    });
    expect(rebooked.status).toBe(201);
    const all = await received(6, aboutWorkOrder);
    expect(all.filter((c) => eventOf(c).eventType === 'workOrderCreateEvent')).toHaveLength(1);
    expect(eventOf(all[5]!).eventType).toBe('workOrderStateChangeEvent');
  });
});
