/**
 * Catalogue changes in the legacy BSS reach subscribed partners: the back office adds an offering or retires one
 * (`POST /bss/v2/_sim/catalogue/...`), the BSS reports it by callback, and each partner with productCatalog whose
 * catalogue policy lets it see the offering gets the release's productCatalogNotification event, valid against the
 * listener operation of the official notification file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpecCatalog, type SonataRelease } from '../../src/conformance/openapi-validator.js';
import { findListenerOperation } from '../../src/conformance/spec-guard.js';
import { startListener, type ReceivedCall, type TestListener } from '../notify/support.js';
import { SDK_DIR, SPEC_ERRATA, startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { LEGACY_KEY } from '../sonata/product-order-support.js';

const specs = createSpecCatalog({ sdkDir: SDK_DIR, errata: SPEC_ERRATA });
const GRACE = '/mefApi/sonata/productCatalog/v2';
const GRACE_NOTIF = { notificationApi: 'productCatalogNotifications', notificationVersion: 'v2' };
const KYLIE = '/mefApi/sonata/productCatalog/v4';
const KYLIE_NOTIF = { notificationApi: 'productCatalogNotifications', notificationVersion: 'v4' };

let gw: TestGateway;
let listener: TestListener;
let acme: string;
let globex: string;

beforeAll(async () => {
  gw = await startTestGateway();
  acme = await gw.token('acme');
  globex = await gw.token('globex');
  listener = await startListener();
}, 60_000); // the whole gateway starts: slow on a loaded machine
afterAll(async () => {
  await gw?.close();
  await listener?.close();
});

/** The calls under `prefix` the listener has received, once there are `n` of them (event-driven, bounded). */
async function callsUnder(prefix: string, n: number): Promise<ReceivedCall[]> {
  for (let total = Math.max(listener.calls.length, 1); ; total++) {
    const mine = listener.calls.filter((c) => c.url.startsWith(prefix));
    if (mine.length >= n) return mine;
    await listener.waitForCalls(total, 10_000);
  }
}

function expectListenerValid(release: SonataRelease, listenerName: string, call: ReceivedCall): void {
  const op = findListenerOperation(specs, release, release === 'kylie' ? KYLIE_NOTIF : GRACE_NOTIF, listenerName);
  expect(op, `${release} listener/${listenerName}`).toBeDefined();
  expect(op!.validateRequestBody(call.body)).toEqual([]);
}

async function backOffice(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${gw.gateway.legacyUrl}/bss/v2/_sim/catalogue${path}`, {
    method: 'POST',
    headers: { 'x-bss-api-key': LEGACY_KEY, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await res.json()) as Record<string, unknown>;
  expect(answer.RC, JSON.stringify(answer)).toBe(0);
  return answer;
}

describe('Grace productCatalogNotification from the BSS back office', () => {
  it('a new offering -> productOfferingCreateEvent; retiring it -> productOfferingStateChangeEvent at the Status listener', async () => {
    const prefix = '/catalog-grace';
    const hub = await gw.call('POST', `${GRACE}/hub`, {
      token: acme,
      body: { callback: `${listener.origin}${prefix}` },
    });
    expect(hub.status, JSON.stringify(hub.body)).toBe(201);

    await backOffice('/offerings', {
      ANG_CODE: 'DIA-PREMIUM',
      ANG_NAME: 'Internet-Direktzugang Premium',
      ANG_TEXT: 'Mit Service-Level 99,99 %',
      PROD_CODE: 'DIA',
      KAT_CODES: ['IP'],
      SPEZ_CODE: 'SP_DIA',
      BW_STUFEN: [100, 1000],
      LAENDER: ['Germany'],
    });
    const [created] = await callsUnder(prefix, 1);
    expect(created!.url.split('?')[0]).toBe(`${prefix}/mefApi/sonata/productCatalogNotifications/v2/listener/productOfferingCreateEvent`);
    expect(created!.body).toMatchObject({
      eventType: 'productOfferingCreateEvent',
      event: { id: 'DIA-PREMIUM', href: `${GRACE}/productOffering/DIA-PREMIUM`, buyerId: 'ACME-DE-0042' },
    });
    expectListenerValid('grace', 'productOfferingCreateEvent', created!);
    // the partner follows the event to the new offering
    const got = await gw.call('GET', `${GRACE}/productOffering/DIA-PREMIUM`, { token: acme });
    expect(got.body).toMatchObject({
      lifecycleStatus: 'orderable',
      name: 'Internet-Direktzugang Premium',
      region: [{ country: 'DE' }],
    });

    await backOffice('/offerings/DIA-PREMIUM/retire', { STATUS_GRUND: 'Produkt eingestellt' });
    const retired = (await callsUnder(prefix, 2)).find(
      (c) => (c.body as { eventType: string }).eventType === 'productOfferingStateChangeEvent',
    );
    // Grace's file: the listener path says "Status", the body's eventType enumeration "State"
    expect(retired!.url.split('?')[0]).toBe(
      `${prefix}/mefApi/sonata/productCatalogNotifications/v2/listener/productOfferingStatusChangeEvent`,
    );
    expect(retired!.body).toMatchObject({ eventType: 'productOfferingStateChangeEvent', event: { id: 'DIA-PREMIUM' } });
    expectListenerValid('grace', 'productOfferingStatusChangeEvent', retired!);
    expect((await gw.call('GET', `${GRACE}/productOffering/DIA-PREMIUM`, { token: acme })).body).toMatchObject({
      lifecycleStatus: 'endOfSale',
      statusReason: 'Produkt eingestellt',
    });
  });

  it('the back office refuses an offering of an unknown product line, and the retirement of an unknown offering', async () => {
    const headers = { 'x-bss-api-key': LEGACY_KEY, 'content-type': 'application/json' };
    const bad = await fetch(`${gw.gateway.legacyUrl}/bss/v2/_sim/catalogue/offerings`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        ANG_CODE: 'X-1',
        ANG_NAME: 'x',
        ANG_TEXT: 'x',
        PROD_CODE: 'NOPE',
        KAT_CODES: ['IP'],
        SPEZ_CODE: 'SP_DIA',
      }),
    });
    expect(await bad.json()).toMatchObject({ RC: 8, ERR_FIELD: 'PROD_CODE' });
    const unknown = await fetch(`${gw.gateway.legacyUrl}/bss/v2/_sim/catalogue/offerings/NOPE/retire`, {
      method: 'POST',
      headers,
      body: '{}',
    });
    expect(await unknown.json()).toMatchObject({ RC: 4 });
  });
});

describe("Kylie productCatalogNotification, filtered by the partner's catalogue policy", () => {
  it('Globex hears of a new Ethernet offering but not of an Internet one; its retirement and changes follow', async () => {
    const prefix = '/catalog-kylie';
    const hub = await gw.call('POST', `${KYLIE}/hub`, {
      token: globex,
      body: { callback: `${listener.origin}${prefix}` },
    });
    expect(hub.status, JSON.stringify(hub.body)).toBe(201);
    // first an offering Globex's policy hides (category IP), then one it may see (ETH_ZUG)
    await backOffice('/offerings', {
      ANG_CODE: 'DIA-KYLIE',
      ANG_NAME: 'Internet Kylie',
      ANG_TEXT: 'x',
      PROD_CODE: 'DIA',
      KAT_CODES: ['IP'],
      SPEZ_CODE: 'SP_DIA',
    });
    await backOffice('/offerings', {
      ANG_CODE: 'ELINE-KYLIE',
      ANG_NAME: 'Zugang Kylie',
      ANG_TEXT: 'x',
      PROD_CODE: 'ELINE',
      KAT_CODES: ['ETH_ZUG'],
      SPEZ_CODE: 'SP_ELINE',
      LAENDER: ['United Kingdom'],
    });
    const [created] = await callsUnder(prefix, 1);
    expect(created!.url).toBe(
      `${prefix}/mefApi/sonata/productCatalogNotifications/v4/listener/productOfferingCreateEvent?buyerId=GLOBEX-UK-7&sellerId=NETCORE`,
    );
    expect(created!.body).toMatchObject({
      eventType: 'productOfferingCreateEvent',
      event: { id: 'ELINE-KYLIE', href: `${KYLIE}/productOffering/ELINE-KYLIE` },
    });
    expectListenerValid('kylie', 'productOfferingCreateEvent', created!);

    await backOffice('/offerings/ELINE-KYLIE/change', { ANG_NAME: 'Zugang Kylie (neu)' });
    await backOffice('/offerings/ELINE-KYLIE/retire', { ANG_STATUS: 'SPE' });
    const calls = await callsUnder(prefix, 3);
    const byType = (type: string) => calls.find((c) => (c.body as { eventType: string }).eventType === type);
    const changed = byType('productOfferingAttributeValueChangeEvent');
    const retired = byType('productOfferingStateChangeEvent');
    expect(changed!.body).toMatchObject({
      eventType: 'productOfferingAttributeValueChangeEvent',
      event: { id: 'ELINE-KYLIE' },
    });
    expectListenerValid('kylie', 'productOfferingAttributeValueChangeEvent', changed!);
    // Kylie's state change carries the new status in Kylie's spelling
    expect(retired!.body).toMatchObject({
      eventType: 'productOfferingStateChangeEvent',
      event: { id: 'ELINE-KYLIE', lifecycleStatus: 'endOfSupport' },
    });
    expectListenerValid('kylie', 'productOfferingStateChangeEvent', retired!);
    // nothing about the hidden offering reached Globex
    expect(listener.calls.filter((c) => c.url.startsWith(prefix) && JSON.stringify(c.body).includes('DIA-KYLIE'))).toEqual([]);
  });
});
