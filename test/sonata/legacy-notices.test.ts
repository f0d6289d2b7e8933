import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/observability/logger.js';
import type { Registry } from '../../src/registry/registry.js';
import { publishLegacyNotice, type LegacyNotice } from '../../src/sonata/resources/legacy-notices.js';
import type { SonataEvent } from '../../src/sonata/resources/resource-events.js';
import { createResourceRepository } from '../../src/sonata/resources/resource-repository.js';
import { createMemoryStore } from '../../src/state/memory-store.js';

/**
 * Legacy notices (a BSS report about an object the gateway keeps no document of, e.g. a bill): published to the
 * partners of the customer number, once per report however often it arrives, with a stable event id.
 */
const errors: string[] = [];
const logger: Logger = {
  error: (m) => {
    errors.push(m);
  },
  warn: () => {},
  info: () => {},
  debug: () => {},
  child: () => logger,
};

function setup(partners: Array<{ id: string; legacyCustomerId?: string }>) {
  const published: SonataEvent[] = [];
  const store = createMemoryStore();
  const deps = {
    registry: { partners: new Map(partners.map((p) => [p.id, p])) } as unknown as Registry,
    resources: createResourceRepository(store),
    events: {
      publish: async (e: SonataEvent) => {
        published.push(e);
      },
    },
    logger,
    now: () => new Date('2026-12-05T10:00:00Z'),
  };
  return { deps, published };
}

const notice: LegacyNotice = {
  notify: 'customerBillCreateEvent',
  api: 'customerBillManagement',
  path: '/customerBill',
  id: 'RE-2026-000001',
  customerId: 'C-100042',
  state: 'generated',
  occurredAt: '2026-12-05T10:00:00.000Z',
  key: 'bill:RE-2026-000001:ERST:05.12.2026 11:00',
};

describe('legacy notices', () => {
  it('goes to the partner with the customer number, as an event on the resource path, with a UUID-shaped id', async () => {
    const { deps, published } = setup([
      { id: 'acme', legacyCustomerId: 'C-100042' },
      { id: 'globex', legacyCustomerId: 'C-100077' },
      { id: 'seller' },
    ]);
    expect(await publishLegacyNotice(deps, notice)).toBe(1);
    expect(published).toEqual([
      {
        eventType: 'customerBillCreateEvent',
        apiName: 'customerBillManagement',
        resourceId: 'RE-2026-000001',
        resourcePath: '/customerBill/RE-2026-000001',
        state: 'generated',
        partnerId: 'acme',
        occurredAt: '2026-12-05T10:00:00.000Z',
        eventId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/),
      },
    ]);
  });

  it('the same report again (its polled copy after the callback) publishes nothing; another report does', async () => {
    const { deps, published } = setup([{ id: 'acme', legacyCustomerId: 'C-100042' }]);
    expect(await publishLegacyNotice(deps, notice)).toBe(1);
    expect(await publishLegacyNotice(deps, { ...notice })).toBe(0);
    const paid = {
      ...notice,
      notify: 'customerBillStateChangeEvent',
      state: 'settled',
      key: 'bill:RE-2026-000001:BEZ:07.12.2026 09:30',
    };
    expect(await publishLegacyNotice(deps, paid)).toBe(1);
    expect(published.map((e) => e.eventType)).toEqual(['customerBillCreateEvent', 'customerBillStateChangeEvent']);
    expect(published[0]!.eventId).not.toBe(published[1]!.eventId);
  });

  it('the event id depends on the report only: two gateways (or a replay after a restart) name it alike', async () => {
    const a = setup([{ id: 'acme', legacyCustomerId: 'C-100042' }]);
    const b = setup([{ id: 'acme', legacyCustomerId: 'C-100042' }]);
    await publishLegacyNotice(a.deps, notice);
    await publishLegacyNotice(b.deps, notice);
    expect(a.published[0]!.eventId).toBe(b.published[0]!.eventId);
  });

  it('two partners sharing a customer number both hear of it, each under its own event id', async () => {
    const { deps, published } = setup([
      { id: 'acme', legacyCustomerId: 'C-100042' },
      { id: 'acme-test', legacyCustomerId: 'C-100042' },
    ]);
    expect(await publishLegacyNotice(deps, notice)).toBe(2);
    expect(published.map((e) => e.partnerId)).toEqual(['acme', 'acme-test']);
    expect(new Set(published.map((e) => e.eventId)).size).toBe(2);
  });

  it('a customer number no partner has, or a notice without a key or with a bad path, publishes nothing', async () => {
    const { deps, published } = setup([{ id: 'acme', legacyCustomerId: 'C-100042' }]);
    expect(await publishLegacyNotice(deps, { ...notice, customerId: 'C-999999' })).toBe(0);
    expect(await publishLegacyNotice(deps, { ...notice, key: '' })).toBe(0);
    expect(await publishLegacyNotice(deps, { ...notice, path: '/../x' })).toBe(0);
    expect(published).toEqual([]);
    expect(errors.length).toBe(2);
  });
});
