import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERNAL_KEY, startBuyerTestbed, type BuyerTestbed } from './support.js';

describe('/internal/buyer creates with Idempotency-Key', () => {
  let bed: BuyerTestbed;
  beforeAll(async () => {
    bed = await startBuyerTestbed();
  });
  afterAll(async () => bed?.close());

  const feasibility = (ref: string) => ({
    REQ_REF: ref,
    CONTACT_NAME: 'Anna Berg',
    CONTACT_PHONE: '+49 30 1234567',
    CONTACT_EMAIL: 'anna.berg@netcore.example',
    LINES: [
      {
        LINE_REF: '1',
        ACTION: 'NEW',
        PROD_CODE: 'ELINE',
        BW_MBPS: 100,
        SELLER_ADDR_ID: 'ADR-DE-1001',
        COUNTRY: 'Germany',
      },
    ],
  });
  const post = (path: string, body: unknown, key?: string) =>
    bed.gw.call('POST', `/internal/buyer${path}`, {
      body,
      headers: { 'x-internal-api-key': INTERNAL_KEY, ...(key && { 'idempotency-key': key }) },
    });
  const posted = () =>
    bed.grace.control.received().filter((r) => r.method === 'POST' && r.operationId === 'createProductOfferingQualification');

  it('passes the key on to the seller, replays a retry without a second purchase, refuses the key with another body', async () => {
    const key = randomUUID();
    const before = posted().length;
    const first = await post('/feasibility', feasibility('F-IDEM-1'), key);
    expect(first.status).toBe(200);
    expect(first.body, JSON.stringify(first.body)).toMatchObject({ RC: 0, SELLER: 'northwind-access' });
    expect(
      posted()
        .slice(before)
        .map((r) => r.idempotencyKey),
    ).toEqual([key]);

    const retry = await post('/feasibility', feasibility('F-IDEM-1'), key);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(posted().length).toBe(before + 1);

    const other = await post('/feasibility', feasibility('F-IDEM-2'), key);
    expect(other.body).toMatchObject({
      RC: 8,
      ERR_CODE: 'idempotency.key-reused',
      ERR_FIELD: 'Idempotency-Key',
      OUTCOME: 'NOT_DONE',
    });
    expect(posted().length).toBe(before + 1);
  });

  it('without a key every POST reaches the seller (and carries no key)', async () => {
    const before = posted().length;
    await post('/feasibility', feasibility('F-IDEM-3'));
    await post('/feasibility', feasibility('F-IDEM-3'));
    const sent = posted().slice(before);
    expect(sent).toHaveLength(2);
    expect(sent.every((r) => r.idempotencyKey === undefined)).toBe(true);
  });
});
