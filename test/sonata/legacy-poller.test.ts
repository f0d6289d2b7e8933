import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyProject, SDK_DIR, startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { advanceOrder, graceOrder, legacyOrderNo, ORDER_BASE } from './product-order-support.js';

/**
 * legacy.statusUpdates: poll: no callbacks at all; the gateway reads the legacy BSS's event journal per
 * customer, keeps its position in the store, and applies what it finds exactly as a callback would.
 */
let project: ReturnType<typeof copyProject>;
let gw: TestGateway;
let acme: string;

beforeAll(async () => {
  project = copyProject();
  const file = join(project.dir, 'config/test.yaml');
  writeFileSync(
    file,
    readFileSync(file, 'utf8').replace(
      'legacy:\n',
      'legacy:\n  statusUpdates: poll\n  pollIntervalMs: 3600000   # the test polls by hand\n',
    ),
  );
  gw = await startTestGateway({ rootDir: project.dir, env: { SONATA_SDK_DIR: SDK_DIR } });
  acme = await gw.token('acme');
});
afterAll(async () => {
  await gw.close();
  project.cleanup();
});

describe('status updates by polling the legacy event journal', () => {
  it('moves an order on only when polled, once per event, and remembers the position', async () => {
    const created = await gw.call('POST', `${ORDER_BASE.grace}/productOrder`, {
      token: acme,
      body: graceOrder({ externalId: 'ACME-POLL-1' }),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const orderNo = await legacyOrderNo(gw, 'C-100042', 'ACME-POLL-1');
    await advanceOrder(gw, orderNo, 'VALD');
    await advanceOrder(gw, orderNo, 'PROV');

    const read = async () => (await gw.call('GET', `${ORDER_BASE.grace}/productOrder/${created.body.id}`, { token: acme })).body;
    expect((await read()).state).toBe('acknowledged'); // no callbacks in this mode

    const first = await gw.gateway.pollLegacyEvents();
    expect(first).toBeGreaterThan(0);
    const after = await read();
    expect(after.state).toBe('inProgress');
    const history = after.stateChange.length;

    expect(await gw.gateway.pollLegacyEvents()).toBe(0); // position kept: nothing new, nothing re-applied
    await advanceOrder(gw, orderNo, 'COMP');
    expect(await gw.gateway.pollLegacyEvents()).toBeGreaterThan(0);
    const done = await read();
    expect(done.state).toBe('completed');
    expect(done.stateChange.length).toBe(history + 1);
  });
});
