import { createHmac, timingSafeEqual } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CALLBACK_SIGNATURE_HEADER,
  createLegacyBssApp,
  signLegacyCallback,
  type LegacyBssEvent,
} from '../../simulators/src/legacy-bss/create-legacy-bss-app.js';
import { ACME, GLOBEX, newLine, startDomainSim, type DomainSim, type LegacyJson } from './legacy-bss-domain-client.js';
import { SHIPPED_DATA_DIR } from './legacy-bss-test-client.js';

const SECRET = 'callback-test-secret';

/** A local receiver: records every POST and answers with the status `answer` picks. */
interface Receiver {
  readonly url: string;
  readonly attempts: { headers: IncomingHttpHeaders; body: string }[];
  /** Resolves once `count` attempts arrived. */
  attemptsReached(count: number): Promise<void>;
  close(): Promise<void>;
}

async function startReceiver(answer: (event: LegacyBssEvent, attempt: number) => number = () => 204): Promise<Receiver> {
  const attempts: { headers: IncomingHttpHeaders; body: string }[] = [];
  const arrivals = new EventEmitter();
  const perSeq = new Map<number, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      attempts.push({ headers: req.headers, body });
      const event = JSON.parse(body) as LegacyBssEvent;
      const attempt = (perSeq.get(event.EVT_SEQ) ?? 0) + 1;
      perSeq.set(event.EVT_SEQ, attempt);
      res.statusCode = answer(event, attempt);
      res.end();
      arrivals.emit('attempt');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/bss-events`,
    attempts,
    async attemptsReached(count) {
      while (attempts.length < count) await once(arrivals, 'attempt');
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((item) => item.close()));
});

async function startWithCallbacks(receiver: Receiver, retryDelaysMs: number[] = [5, 5]): Promise<DomainSim> {
  const sim = await startDomainSim({
    callbackUrl: receiver.url,
    callbackSecret: SECRET,
    callbackRetryDelaysMs: retryDelaysMs,
    callbackHeaders: { 'X-Internal-Api-Key': 'receiver-key' },
  });
  running.push(sim);
  return sim;
}

function verifySignature(body: string, header: string | string[] | undefined): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`);
  const given = Buffer.from(String(header));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe('status callbacks', () => {
  it('POSTs every order change as a signed event, in journal order, identical to the journal', async () => {
    const receiver = await startReceiver();
    running.push(receiver);
    const sim = await startWithCallbacks(receiver);
    const orderNo = (await sim.ok('/orders', { CUST_NO: ACME, TEST_FLAG: 'Y', LINES: [newLine()] }))['ORDER']['ORDER_NO'] as string;
    await sim.ok(`/_sim/orders/${orderNo}/advance`, { TO: 'COMP' });
    const journal = (await sim.ok(`/events?CUST_NO=${ACME}`))['EVENTS'] as LegacyJson[];
    expect(journal.length).toBe(10); // order created, 3 x (line + order), asset PEND and ACTV, the installation work order

    await receiver.attemptsReached(journal.length);
    const bodies = receiver.attempts.map((attempt) => JSON.parse(attempt.body) as LegacyBssEvent);
    expect(bodies).toEqual(journal);
    expect(bodies.map((event) => event.EVT_SEQ)).toEqual(journal.map((_, index) => index + 1));
    for (const attempt of receiver.attempts) {
      expect(verifySignature(attempt.body, attempt.headers[CALLBACK_SIGNATURE_HEADER.toLowerCase()])).toBe(true);
      expect(attempt.headers['x-bss-event-seq']).toBe(String((JSON.parse(attempt.body) as LegacyBssEvent).EVT_SEQ));
      expect(attempt.headers['content-type']).toBe('application/json');
      expect(attempt.headers['x-internal-api-key']).toBe('receiver-key');
    }
    expect(bodies.find((event) => event.EVT_TYPE === 'ORDER_STATUS' && event.NEW_STATUS === 'COMP')).toMatchObject({
      CUST_NO: ACME,
      OBJ_ID: orderNo,
      OLD_STATUS: 'PROV',
      TEST_FLAG: 'Y',
      LINE_REF: null,
      EVT_TS: '02.03.2026 10:00',
    });
  });

  it('signs with HMAC-SHA256 over the exact body', () => {
    const body = '{"EVT_SEQ":1}';
    expect(signLegacyCallback(body, SECRET)).toBe(`sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`);
    expect(signLegacyCallback(`${body} `, SECRET)).not.toBe(signLegacyCallback(body, SECRET));
  });

  it('retries a failed delivery and keeps the order of later events', async () => {
    const receiver = await startReceiver((event, attempt) => (event.EVT_SEQ === 1 && attempt === 1 ? 503 : 200));
    running.push(receiver);
    const sim = await startWithCallbacks(receiver);
    await sim.ok('/faults', {
      CUST_NO: ACME,
      ASSET_ID: 'AS-5000003',
      FAULT_TYPE: 'RP',
      SEVERITY: 3,
      DESCRIPTION: 'slow',
      CONTACT_NAME: 'Eva',
      CONTACT_EMAIL: 'eva@acme.example',
    });
    const ttNo = (await sim.ok(`/faults?CUST_NO=${ACME}`))['FAULTS'][0]['TT_NO'] as string;
    await sim.ok(`/_sim/faults/${ttNo}/advance`, {});
    await receiver.attemptsReached(3);
    expect(receiver.attempts.map((attempt) => (JSON.parse(attempt.body) as LegacyBssEvent).EVT_SEQ)).toEqual([1, 1, 2]);
  });

  it('drops an event after the last retry (the poller must catch up from the journal)', async () => {
    const receiver = await startReceiver((event) => (event.EVT_SEQ === 1 ? 500 : 204));
    running.push(receiver);
    const sim = await startWithCallbacks(receiver, [1, 1]);
    const orderNo = (await sim.ok('/orders', { CUST_NO: ACME, LINES: [newLine()] }))['ORDER']['ORDER_NO'] as string;
    await sim.ok(`/_sim/orders/${orderNo}/advance`, {});
    // 3 attempts for event 1, then events 2 and 3 (line and order VALD).
    await receiver.attemptsReached(5);
    const seqs = receiver.attempts.map((attempt) => (JSON.parse(attempt.body) as LegacyBssEvent).EVT_SEQ);
    expect(seqs).toEqual([1, 1, 1, 2, 3]);
    const missed = (await sim.ok(`/events?CUST_NO=${ACME}&SINCE_SEQ=0&LIMIT=1`))['EVENTS'];
    expect(missed).toMatchObject([{ EVT_SEQ: 1, EVT_TYPE: 'ORDER_STATUS', OBJ_ID: orderNo, NEW_STATUS: 'RCVD' }]);
  });

  it('refuses a callback URL without secret, or that is not http', () => {
    expect(() => createLegacyBssApp({ apiKey: 'k', dataDir: SHIPPED_DATA_DIR, callbackUrl: 'http://127.0.0.1:9/x' })).toThrow(
      /callbackSecret/,
    );
    expect(() => createLegacyBssApp({ apiKey: 'k', dataDir: SHIPPED_DATA_DIR, callbackUrl: 'ftp://host/x', callbackSecret: 's' })).toThrow(
      /http or https/,
    );
    expect(() => createLegacyBssApp({ apiKey: 'k', dataDir: SHIPPED_DATA_DIR, autoAdvanceMs: -1 })).toThrow(/autoAdvanceMs/);
  });
});

describe('event journal', () => {
  it("answers events after SINCE_SEQ, only the customer's own, in pages", async () => {
    const sim = await startDomainSim();
    running.push(sim);
    await sim.ok('/orders', { CUST_NO: GLOBEX, LINES: [newLine({ ADDR_KEY: 'NC-GB-000202' })] });
    const acmeOrder = (await sim.ok('/orders', { CUST_NO: ACME, LINES: [newLine()] }))['ORDER']['ORDER_NO'] as string;
    await sim.ok(`/_sim/orders/${acmeOrder}/advance`, {});

    const all = await sim.ok(`/events?CUST_NO=${ACME}`);
    expect(all).toMatchObject({ LAST_SEQ: 4, OLDEST_SEQ: 1, NEXT_SEQ: 4, MORE: 'N', GAP: 'N' });
    expect((all['EVENTS'] as LegacyJson[]).map((event) => event['EVT_SEQ'])).toEqual([2, 3, 4]);
    expect((all['EVENTS'] as LegacyJson[]).every((event) => event['CUST_NO'] === ACME)).toBe(true);

    const page = await sim.ok(`/events?CUST_NO=${ACME}&SINCE_SEQ=2&LIMIT=1`);
    expect(page).toMatchObject({ MORE: 'Y', NEXT_SEQ: 3 });
    expect((page['EVENTS'] as LegacyJson[]).map((event) => event['EVT_SEQ'])).toEqual([3]);
    const rest = await sim.ok('/events/search', { CUST_NO: ACME, SINCE_SEQ: page['NEXT_SEQ'] });
    expect((rest['EVENTS'] as LegacyJson[]).map((event) => event['EVT_SEQ'])).toEqual([4]);
    expect((await sim.ok(`/events?CUST_NO=${ACME}&SINCE_SEQ=4`))['EVENTS']).toEqual([]);
    expect((await sim.ok(`/events?CUST_NO=${GLOBEX}`))['EVENTS'].map((event: LegacyJson) => event['EVT_SEQ'])).toEqual([1]);
  });

  it('starts empty in every new simulator', async () => {
    const sim = await startDomainSim();
    running.push(sim);
    expect(await sim.ok(`/events?CUST_NO=${ACME}`)).toMatchObject({ EVENTS: [], LAST_SEQ: 0, NEXT_SEQ: 0, MORE: 'N' });
  });
});
