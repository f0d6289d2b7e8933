import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSonataSeller } from '../../simulators/src/sonata-seller/start-sonata-seller.js';
import { expectStrictSellerCalls, startBuyerTestbed, type BuyerTestbed } from './support.js';

/**
 * The legacy BSS arranges the seller's technician visit for a work order: it searches the free slots, books one,
 * reads and cancels the appointment in its own format, and hears about status changes on its webhook. Strict
 * sellers: every request the gateway sent matched the Appointment API of the seller's release.
 */
describe('appointments at a seller, as the legacy BSS books them', () => {
  let bed: BuyerTestbed;
  beforeAll(async () => {
    bed = await startBuyerTestbed();
  }, 60_000);
  afterAll(async () => {
    await bed?.close();
  });

  /** `days` from now at 00:00, Berlin, as the BSS writes timestamps */
  const legacyDayStart = (days: number) => {
    const parts = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Berlin',
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
    }).formatToParts(new Date(Date.now() + days * 86_400_000));
    const get = (t: string) => parts.find((p) => p.type === t)?.value;
    return `${get('day')}.${get('month')}.${get('year')} 00:00`;
  };
  const contact = {
    CONTACT_NAME: 'Jan Roth',
    CONTACT_PHONE: '+49 30 7654321',
    CONTACT_EMAIL: 'jan.roth@netcore.example',
  };
  const expectStrictlyValid = (sim: RunningSonataSeller) => expectStrictSellerCalls(sim, { pathIncludes: '/appointment/', moreThan: 3 });

  const sellers = [
    { name: 'Grace', seller: 'northwind-access', sim: () => bed.grace, addr: 'ADR-DE-1001' },
    { name: 'Kylie', seller: 'southwind-fibre', sim: () => bed.kylie, addr: 'ADR-GB-2001' },
  ] as const;
  for (const s of sellers) {
    it(`${s.name}: searches slots, books one (never twice), reads and cancels it, hears the cancellation`, async () => {
      const [wo1, wo2] = s.sim().control.appointments!.workOrderIds();
      const window = { SELLER: s.seller, FROM: legacyDayStart(1), TO: legacyDayStart(8) };
      const search = await bed.legacy('POST', '/appointments/slots', { ...window, WORK_ORDER_ID: wo1 });
      expect(search, JSON.stringify(search)).toMatchObject({ RC: 0, SELLER: s.seller, WORK_ORDER_ID: wo1 });
      expect(search.SLOTS.length).toBeGreaterThan(4);
      const slot = search.SLOTS[0] as { FROM: string; TO: string };
      expect(slot.FROM).toMatch(/^\d\d\.\d\d\.\d{4} \d\d:\d\d$/);

      const booked = await bed.legacy('POST', '/appointments', {
        SELLER: s.seller,
        WORK_ORDER_ID: wo1,
        ...slot,
        ...contact,
        REMARKS: 'ring at the loading bay',
      });
      expect(booked, JSON.stringify(booked)).toMatchObject({
        RC: 0,
        SELLER: s.seller,
        APPOINTMENT: {
          WORK_ORDER_ID: wo1,
          APPT_STATUS: 'CONF',
          SELLER_STATUS: 'confirmed',
          FROM: slot.FROM,
          TO: slot.TO,
          SELLER_ADDR_ID: s.addr,
          CONTACT_NAME: 'Jan Roth',
          CONTACT_EMAIL: 'jan.roth@netcore.example',
          REMARKS: 'ring at the loading bay',
        },
      });
      const id = booked.APPOINTMENT.APPT_ID as string;

      // the technician is booked: the same slot for another work order is refused on the BSS's FROM, and no longer offered
      const twice = await bed.legacy('POST', '/appointments', {
        SELLER: s.seller,
        WORK_ORDER_ID: wo2,
        ...slot,
        ...contact,
      });
      expect(twice, JSON.stringify(twice)).toMatchObject({
        RC: 8,
        ERR_FIELD: 'FROM',
        SELLER: s.seller,
        ERR_CODE: 'seller.rejected-input',
      });
      expect(twice.MSG).toMatch(/already booked/);
      const after = await bed.legacy('POST', '/appointments/slots', { ...window, WORK_ORDER_ID: wo2 });
      expect(after.SLOTS).not.toContainEqual(slot);

      // read by id alone (the gateway remembers the seller), then cancel: the slot is free again
      expect(await bed.legacy('GET', `/appointments/${id}`)).toMatchObject({
        RC: 0,
        APPOINTMENT: { APPT_ID: id, APPT_STATUS: 'CONF' },
      });
      const cancelled = await bed.legacy('POST', `/appointments/${id}/cancel`, {});
      expect(cancelled, JSON.stringify(cancelled)).toMatchObject({
        RC: 0,
        APPOINTMENT: { APPT_ID: id, APPT_STATUS: 'CANC', SELLER_STATUS: 'cancelled' },
      });
      const event = await bed.webhook.waitFor((w) => w.body.OBJ_ID === id && w.body.EVT_TYPE === 'SELLER_APPOINTMENT_STATUS');
      expect(event.body).toMatchObject({ SELLER: s.seller, NEW_STATUS: 'CANC', SELLER_STATUS: 'cancelled' });
      if (s.name === 'Grace') expect(event.body).toMatchObject({ REF: wo1, APPOINTMENT: { APPT_ID: id, APPT_STATUS: 'CANC' } });
      const again = await bed.legacy('POST', '/appointments/slots', { ...window, WORK_ORDER_ID: wo2 });
      expect(again.SLOTS).toContainEqual(slot);
      // a second cancellation is the seller's refusal, in the BSS's RC 8
      expect(await bed.legacy('POST', `/appointments/${id}/cancel`, { SELLER: s.seller })).toMatchObject({
        RC: 8,
        SELLER: s.seller,
      });
      expectStrictlyValid(s.sim());
    });
  }

  it("refuses bad input in the BSS format; an unknown work order is the seller's refusal on WORK_ORDER_ID", async () => {
    const wo = bed.grace.control.appointments!.workOrderIds()[0];
    expect(
      await bed.legacy('POST', '/appointments/slots', {
        SELLER: 'northwind-access',
        WORK_ORDER_ID: wo,
        FROM: '2026-12-01T08:00',
        TO: legacyDayStart(3),
      }),
    ).toMatchObject({ RC: 8, ERR_FIELD: 'FROM', SELLER: null });
    expect(
      await bed.legacy('POST', '/appointments/slots', {
        SELLER: 'northwind-access',
        WORK_ORDER_ID: wo,
        FROM: legacyDayStart(3),
        TO: legacyDayStart(2),
      }),
    ).toMatchObject({ RC: 8, ERR_FIELD: 'TO' });
    expect(
      await bed.legacy('POST', '/appointments', {
        SELLER: 'northwind-access',
        WORK_ORDER_ID: wo,
        FROM: legacyDayStart(3),
        TO: legacyDayStart(4),
      }),
    ).toMatchObject({ RC: 8, ERR_FIELD: 'CONTACT_NAME' });
    expect(await bed.legacy('POST', `/appointments/NA-APT-0001/cancel`, { REASON: 'x' })).toMatchObject({
      RC: 8,
      ERR_FIELD: 'REASON',
    });
    const unknown = await bed.legacy('POST', '/appointments/slots', {
      SELLER: 'northwind-access',
      WORK_ORDER_ID: 'WO-OF-SOMEONE-ELSE',
      FROM: legacyDayStart(1),
      TO: legacyDayStart(3),
    });
    expect(unknown, JSON.stringify(unknown)).toMatchObject({
      RC: 8,
      ERR_FIELD: 'WORK_ORDER_ID',
      SELLER: 'northwind-access',
    });
    expect(await bed.legacy('GET', '/appointments/NA-APT-9999?SELLER=northwind-access')).toMatchObject({ RC: 4 });
  });
});
