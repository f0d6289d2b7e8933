/**
 * Callback safety at delivery: the allow-list is checked again, host names are resolved once and a non-public address
 * is refused unless the exact host:port is allow-listed, and the socket goes to the checked address (no rebinding).
 * Nothing here connects anywhere but 127.0.0.1: where a public address is involved, the socket connector is a
 * recording stand-in.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDeliveryQueue, type Delivery, type DeliveryPartners } from '../../src/notify/delivery-queue.js';
import { createHttpSender, DeliveryError } from '../../src/notify/delivery-attempts.js';
import { createHubService, HubValidationError } from '../../src/notify/hub-service.js';
import { isPublicAddress, type Resolver } from '../../src/outbound/callback-guard.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMemoryStore } from '../../src/state/memory-store.js';
import { startListener, type TestListener } from '../notify/support.js';
import { forgetTestCallback } from '../support/test-listeners.js';

const delivery = (url: string): Delivery => ({
  id: 'evt-1.sub-1',
  partnerId: 'acme',
  subscriptionId: 'sub-1',
  url,
  body: { event: 1 },
  eventType: 'x',
  eventId: 'evt-1',
});
const partners = (allowed: readonly string[] | undefined, extra: Partial<DeliveryPartners> = {}): DeliveryPartners => ({
  allowedCallbackHosts: () => allowed,
  signingSecrets: () => [],
  ...extra,
});
const refusal = async (p: Promise<unknown>): Promise<DeliveryError> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeliveryError);
  expect((err as DeliveryError).permanent).toBe(true);
  return err as DeliveryError;
};

describe('isPublicAddress', () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '100.127.255.254',
    '0.0.0.0',
    '255.255.255.255',
    '224.0.0.1',
    '::1',
    '::',
    'fd00:ec2::254',
    'fc00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::7f00:1',
    '2002:7f00:1::',
    '[::1]',
    'not-an-ip',
  ])('%s is not public', (ip) => expect(isPublicAddress(ip)).toBe(false));
  it.each(['8.8.8.8', '93.184.216.34', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '2a00:1450::1'])('%s is public', (ip) =>
    expect(isPublicAddress(ip)).toBe(true),
  );
});

describe('delivery through the callback guard (real listener on 127.0.0.1)', () => {
  let listener: TestListener;
  beforeEach(async () => {
    listener = await startListener();
    // this suite decides the allow-list itself
    forgetTestCallback(listener.origin);
  });
  afterEach(() => listener.close());

  it('a name that resolves to 127.0.0.1 (localhost) is refused when only allowed without a port', async () => {
    const sender = createHttpSender(2000, partners(['localhost']));
    try {
      const err = await refusal(sender.send(delivery(`http://localhost:${listener.port}/cb`)));
      expect(err.message).toMatch(/non-public/);
      expect(listener.calls).toHaveLength(0);
    } finally {
      await sender.close();
    }
  });

  it('the same name is delivered when its exact host:port is allow-listed', async () => {
    const sender = createHttpSender(2000, partners([`localhost:${listener.port}`]));
    try {
      await sender.send(delivery(`http://localhost:${listener.port}/cb`));
      expect(listener.calls).toHaveLength(1);
    } finally {
      await sender.close();
    }
  });

  it('an address literal: 127.0.0.1 allowed without a port reaches neither the listener nor any other loopback port', async () => {
    const sender = createHttpSender(2000, partners(['127.0.0.1']));
    try {
      await refusal(sender.send(delivery(`${listener.origin}/cb`)));
      await refusal(sender.send(delivery('http://127.0.0.1:6379/')));
      expect(listener.calls).toHaveLength(0);
    } finally {
      await sender.close();
    }
  });

  it('a host resolved by an injected resolver to a private address is refused; the allow-list is checked again', async () => {
    const resolve: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
    const sender = createHttpSender(2000, partners(['*.acme.example'], { resolve }));
    try {
      await refusal(sender.send(delivery(`http://hooks.acme.example:${listener.port}/cb`)));
      expect(listener.calls).toHaveLength(0);
    } finally {
      await sender.close();
    }
    const removed = createHttpSender(2000, partners([]));
    const gone = createHttpSender(2000, partners(undefined));
    try {
      expect((await refusal(removed.send(delivery(`${listener.origin}/cb`)))).message).toMatch(/no longer allowed/);
      expect((await refusal(gone.send(delivery(`${listener.origin}/cb`)))).message).toMatch(/no longer configured/);
    } finally {
      await removed.close();
      await gone.close();
    }
  });

  it('DNS rebinding: the socket goes to the address that was checked, never to a later (private) answer', async () => {
    const answers = [[{ address: '93.184.216.34', family: 4 }], [{ address: '127.0.0.1', family: 4 }]];
    let lookups = 0;
    const resolve: Resolver = async () => answers[Math.min(lookups++, answers.length - 1)]!;
    const dialled: string[] = [];
    // records where the socket would go and fails, so no packet leaves the machine
    const connector = (opts: { hostname: string }, cb: (err: Error | null, socket: null) => void) => {
      dialled.push(opts.hostname);
      cb(Object.assign(new Error('test connector: not dialling'), { code: 'ECONNREFUSED' }), null);
    };
    const sender = createHttpSender(2000, partners(['*.acme.example'], { resolve, connector: connector as never }));
    try {
      const err = await sender.send(delivery(`http://rebind.acme.example:${listener.port}/cb`)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeDefined();
      expect(dialled).toEqual(['93.184.216.34']);
      expect(lookups).toBe(1);
      expect(listener.calls).toHaveLength(0);
      // the next connection resolves afresh, gets the private answer, and is refused before any socket
      await refusal(sender.send(delivery(`http://rebind.acme.example:${listener.port}/cb`)));
      expect(dialled).toEqual(['93.184.216.34']);
    } finally {
      await sender.close();
    }
  });

  it('a mixed answer (private and public) connects to the public address only', async () => {
    const resolve: Resolver = async () => [
      { address: '10.0.0.7', family: 4 },
      { address: '127.0.0.1', family: 4 },
      { address: '8.8.4.4', family: 4 },
    ];
    const dialled: string[] = [];
    const connector = (opts: { hostname: string }, cb: (err: Error | null, socket: null) => void) => {
      dialled.push(opts.hostname);
      cb(new Error('test connector: not dialling'), null);
    };
    const sender = createHttpSender(2000, partners(['*.acme.example'], { resolve, connector: connector as never }));
    try {
      await sender.send(delivery('https://mixed.acme.example/cb')).catch(() => undefined);
      expect(dialled).toEqual(['8.8.4.4']);
    } finally {
      await sender.close();
    }
  });

  it('a refused callback is dead-lettered after one attempt, not retried for a day', async () => {
    const queue = createDeliveryQueue({
      prefix: 'guard-test',
      logger: createLogger({ level: 'error' }),
      retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 2 },
      partners: partners(['localhost']),
    });
    queue.start();
    try {
      await queue.enqueue(delivery(`http://localhost:${listener.port}/cb`));
      await queue.idle!();
      const dead = await queue.deadLetters();
      expect(dead).toHaveLength(1);
      expect(dead[0]).toMatchObject({ attempts: 1, lastError: expect.stringMatching(/callback refused/) });
      expect(listener.calls).toHaveLength(0);
    } finally {
      await queue.close();
    }
  });
});

describe('registration refuses private address literals unless exactly allow-listed', () => {
  const hub = createHubService({ store: createMemoryStore() });
  const register = (callback: string, allowed: string[]) =>
    hub.register({
      partnerId: 'p',
      apiName: 'a',
      release: 'kylie',
      callback,
      allowedCallbackHosts: allowed,
      knownEventTypes: [],
    });
  it.each(['http://127.0.0.1:6379/', 'http://127.0.0.1:8080/internal/legacy/events', 'http://[::1]:6379/'])(
    '%s with a port-less entry is refused',
    async (cb) => {
      const err = await register(cb, ['127.0.0.1', '[::1]']).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HubValidationError);
      expect((err as HubValidationError).issue).toMatchObject({ code: 'invalidValue', propertyPath: '/callback' });
    },
  );
  it('the exact host:port is accepted', async () => {
    await expect(register('http://127.0.0.1:9999/cb', ['127.0.0.1:9999'])).resolves.toMatchObject({
      callback: 'http://127.0.0.1:9999/cb',
    });
  });
});
