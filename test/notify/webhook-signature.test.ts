/**
 * Signed notifications (Standard Webhooks): a loopback listener verifies every delivery with its own node:crypto
 * implementation of the specification, the webhook-id stays the same across retries, and two active secrets give
 * two signatures, each verifiable on its own. Through the gateway: a demo partner's notification carries a signature
 * made with its secret from config/test.env.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDeliveryQueue, type Delivery } from '../../src/notify/delivery-queue.js';
import { parseWebhookSecret } from '../../src/outbound/webhook-signature.js';
import { createLogger } from '../../src/observability/logger.js';
import { readEnvFile } from '../../src/config/load-config.js';
import { REPO_ROOT, startTestGateway } from '../support/test-gateway.js';
import { startListener, type ReceivedCall, type TestListener } from './support.js';
import { pollUntil } from '../support/wait.js';

/** What a partner would write: split the header, recompute HMAC-SHA256 over "id.timestamp.body", compare in constant time. */
function verify(secret: string, call: ReceivedCall, rawBody: string, toleranceS = 300): boolean {
  const id = String(call.headers['webhook-id'] ?? '');
  const ts = String(call.headers['webhook-timestamp'] ?? '');
  const header = String(call.headers['webhook-signature'] ?? '');
  if (!id || !/^\d+$/.test(ts) || Math.abs(Date.now() / 1000 - Number(ts)) > toleranceS) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = Buffer.from(createHmac('sha256', key).update(`${id}.${ts}.${rawBody}`).digest('base64'));
  return header.split(' ').some((entry) => {
    const [version, sig] = entry.split(',');
    const given = Buffer.from(sig ?? '');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
const delivery = (url: string): Delivery => ({
  id: 'evt-7.sub-3',
  partnerId: 'acme',
  subscriptionId: 'sub-3',
  url,
  body: { event: { id: 'O-1' }, eventType: 'productOrderStateChangeEvent' },
  eventType: 'productOrderStateChangeEvent',
  eventId: 'evt-7',
});

describe('Standard Webhooks signatures on deliveries', () => {
  let listener: TestListener;
  beforeEach(async () => {
    listener = await startListener();
  });
  afterEach(() => listener.close());

  const queueWith = (secrets: string[]) =>
    createDeliveryQueue({
      prefix: 'sig-test',
      logger: createLogger({ level: 'error' }),
      retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
      partners: { allowedCallbackHosts: () => [`127.0.0.1:${listener.port}`], signingSecrets: () => secrets },
    });

  it('every attempt is signed; a retry keeps the webhook-id', async () => {
    const secret = newSecret();
    const queue = queueWith([secret]);
    listener.script(500);
    queue.start();
    try {
      await queue.enqueue(delivery(`${listener.origin}/listener`));
      const calls = await listener.waitForCalls(2);
      const raw = JSON.stringify(delivery('').body);
      expect(calls.map((c) => c.headers['webhook-id'])).toEqual(['evt-7.sub-3', 'evt-7.sub-3']);
      for (const c of calls) expect(verify(secret, c, raw)).toBe(true);
      expect(verify(newSecret(), calls[0]!, raw)).toBe(false);
      expect(verify(secret, calls[0]!, raw.replace('O-1', 'O-2'))).toBe(false);
    } finally {
      await queue.close();
    }
  });

  it('two active secrets (rotation): two signatures, each verifies with its own secret', async () => {
    const [oldSecret, newOne] = [newSecret(), newSecret()];
    const queue = queueWith([oldSecret, newOne]);
    queue.start();
    try {
      await queue.enqueue(delivery(`${listener.origin}/listener`));
      const [call] = await listener.waitForCalls(1);
      expect(String(call!.headers['webhook-signature']).split(' ')).toHaveLength(2);
      const raw = JSON.stringify(delivery('').body);
      expect(verify(oldSecret, call!, raw)).toBe(true);
      expect(verify(newOne, call!, raw)).toBe(true);
    } finally {
      await queue.close();
    }
  });

  it('secrets are checked: whsec_ prefix, base64, 24 to 64 bytes', () => {
    expect(parseWebhookSecret(newSecret())).toHaveProperty('key');
    expect(parseWebhookSecret('plain-secret-0123456789abcdef')).toHaveProperty('problem');
    expect(parseWebhookSecret(`whsec_${randomBytes(8).toString('base64')}`)).toHaveProperty('problem');
    expect(parseWebhookSecret('whsec_not base64!')).toHaveProperty('problem');
  });
});

describe("through the gateway: a demo partner's notification is signed with its configured secret", () => {
  it("the gateway's delivery queue signs globex's deliveries with PARTNER_GLOBEX_WEBHOOK_SECRET and refuses its own port", async () => {
    const secret = readEnvFile(`${REPO_ROOT}/config/test.env`).PARTNER_GLOBEX_WEBHOOK_SECRET!;
    const listener = await startListener();
    const gw = await startTestGateway();
    try {
      const d: Delivery = { ...delivery(`${listener.origin}/globex/listener`), partnerId: 'globex-networks' };
      await gw.gateway.deliveries.enqueue(d);
      const [call] = await listener.waitForCalls(1);
      expect(call!.headers['webhook-id']).toBe(d.id);
      expect(verify(secret, call!, JSON.stringify(d.body))).toBe(true);

      // a subscription smuggled past registration (e.g. stored before this release) still cannot reach the gateway itself
      await gw.gateway.deliveries.enqueue({ ...d, id: 'evt-8.sub-3', url: `${gw.url}/internal/legacy/events` });
      // in process or BullMQ (REDIS_URL): the dead letter appears after one attempt
      await pollUntil(
        async () => {
          expect(await gw.gateway.deliveries.deadLetters()).toEqual([
            expect.objectContaining({
              id: 'evt-8.sub-3',
              attempts: 1,
              lastError: expect.stringMatching(/callback refused/),
            }),
          ]);
        },
        { timeout: 5000, interval: 20 },
      );
      expect(listener.calls).toHaveLength(1);
    } finally {
      await gw.close();
      await listener.close();
    }
  });
});
