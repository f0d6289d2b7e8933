import { createHmac } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropReleaseLock } from '../support/registry-files.js';
import { copyProject, REPO_ROOT, startTestGateway, type TestGateway } from '../support/test-gateway.js';

/**
 * The kept-resource engine on a synthetic "widget" API (test/sonata/fixtures-engine), independent of any real
 * Sonata API: manual mode and the work queue, list filters and pagination, actions and their state rules,
 * signed legacy status callbacks, idempotent re-delivery and partner isolation.
 */
const base = '/mefApi/sonata/widgetManagement/v1';
const INTERNAL = { 'x-internal-api-key': 'demo-internal-key-0123456789' };
let project: ReturnType<typeof copyProject>;
let gw: TestGateway;
let acme: string;
let other: string;

function sign(body: string): string {
  return `sha256=${createHmac('sha256', 'demo-callback-secret-0123456789').update(body).digest('hex')}`;
}
async function legacyEvent(event: unknown, signature?: string) {
  const body = JSON.stringify(event);
  return fetch(`${gw.url}/internal/legacy/events`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-bss-signature': signature ?? sign(body) },
  });
}

beforeAll(async () => {
  project = copyProject();
  const src = join(REPO_ROOT, 'test/sonata/fixtures-engine');
  mkdirSync(join(project.dir, 'mappings/resources'), { recursive: true });
  cpSync(join(src, 'widget.yaml'), join(project.dir, 'mappings/resources/widget.yaml'));
  cpSync(join(src, 'api'), join(project.dir, 'mappings/releases/grace/widgetManagement'), { recursive: true });
  // widgetManagement is made up: no official file declares it, so this copy of Grace goes without its lock file
  dropReleaseLock(project.dir, 'grace');
  cpSync(join(src, 'legacy'), join(project.dir, 'mappings/legacy/widget'), { recursive: true });
  // acme takes widgets by hand (manual mode); a second Grace partner proves isolation
  const acmeFile = join(project.dir, 'partners/acme-telecom/partner.yaml');
  writeFileSync(acmeFile, readFileSync(acmeFile, 'utf8').replace('quote: { mode: automated }', 'quote: { mode: manual }'));
  cpSync(join(project.dir, 'partners/acme-telecom'), join(project.dir, 'partners/acme-two'), { recursive: true });
  const twoFile = join(project.dir, 'partners/acme-two/partner.yaml');
  writeFileSync(
    twoFile,
    readFileSync(twoFile, 'utf8').replace('id: acme-telecom', 'id: acme-two').replace('clientId: acme-telecom', 'clientId: acme-two'),
  );
  gw = await startTestGateway({ rootDir: project.dir });
  acme = await gw.token('acme');
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: 'acme-two',
    client_secret: 'acme-demo-secret-2026',
  });
  other = ((await (await fetch(`${gw.url}/oauth2/token`, { method: 'POST', body: form })).json()) as { access_token: string }).access_token;
});
afterAll(async () => {
  await gw.close();
  project.cleanup();
});

describe('kept resources', () => {
  let id: string;

  it('manual mode: create answers the initial state and queues a task for staff', async () => {
    const res = await gw.call('POST', `${base}/widget`, {
      token: acme,
      body: {
        color: 'red',
        legacyRef: 'W-1',
        item: [
          { id: 'a', ref: 'L1' },
          { id: 'b', ref: 'L2' },
        ],
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      color: 'red',
      state: 'acknowledged',
      items: [
        { id: 'a', state: 'acknowledged' },
        { id: 'b', state: 'acknowledged' },
      ],
    });
    id = res.body.id;
    const tasks = (await (await fetch(`${gw.url}/internal/tasks`, { headers: INTERNAL })).json()) as Array<{
      resourceId: string;
    }>;
    expect(tasks.map((t) => t.resourceId)).toContain(id);
    expect((await fetch(`${gw.url}/internal/tasks`)).status).toBe(401);
  });

  it('lists with filters and pagination headers; unknown filters are refused', async () => {
    await gw.call('POST', `${base}/widget`, { token: acme, body: { color: 'blue', legacyRef: 'W-2', item: [] } });
    const all = await gw.call('GET', `${base}/widget`, { token: acme });
    expect(all.status).toBe(200);
    expect(all.headers.get('x-total-count')).toBe('2');
    expect(all.headers.get('x-result-count')).toBe('2');
    expect(all.body.map((w: { color: string }) => w.color)).toEqual(['blue', 'red']); // newest first
    const red = await gw.call('GET', `${base}/widget?color=red`, { token: acme });
    expect(red.body).toHaveLength(1);
    const page = await gw.call('GET', `${base}/widget?offset=1&limit=1`, { token: acme });
    expect(page.body.map((w: { color: string }) => w.color)).toEqual(['red']);
    expect(page.headers.get('x-total-count')).toBe('2');
    expect(page.headers.get('x-pagination-throttled')).toBe('false');
    expect((await gw.call('GET', `${base}/widget?limit=5000`, { token: acme })).headers.get('x-pagination-throttled')).toBe('true');
    expect((await gw.call('GET', `${base}/widget?createdAt.gt=2099-01-01T00:00:00Z`, { token: acme })).body).toEqual([]);
    const bad = await gw.call('GET', `${base}/widget?shape=round`, { token: acme });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalidQuery');
    expect((await gw.call('GET', `${base}/widget?offset=-1`, { token: acme })).body.code).toBe('invalidQuery');
  });

  it('applies signed legacy status reports once: history grows on change only', async () => {
    const event = {
      EVT_TYPE: 'WIDGET_STATUS',
      OBJ_ID: 'W-1',
      NEW_STATUS: 'inProgress',
      INFO: 'picked up',
      LINE_REF: 'L1',
      LINE_STATUS: 'inProgress',
    };
    const first = await legacyEvent(event);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ applied: 1, events: 2 });
    const again = await legacyEvent(event);
    expect(await again.json()).toMatchObject({ applied: 1, events: 0 });
    const res = await gw.call('GET', `${base}/widget/${id}`, { token: acme });
    expect(res.body.state).toBe('inProgress');
    expect(res.body.stateChange.map((c: { state: string }) => c.state)).toEqual(['acknowledged', 'inProgress']);
    expect(res.body.items).toEqual([
      { id: 'a', state: 'inProgress' },
      { id: 'b', state: 'acknowledged' },
    ]);
    expect((await gw.call('GET', `${base}/widget?itemState=inProgress`, { token: acme })).body).toHaveLength(1);
  });

  it('refuses unsigned or wrongly signed legacy reports and counts unknown references', async () => {
    expect((await legacyEvent({ EVT_TYPE: 'WIDGET_STATUS', OBJ_ID: 'W-1', NEW_STATUS: 'completed' }, 'sha256=00')).status).toBe(401);
    const unknown = await legacyEvent({ EVT_TYPE: 'WIDGET_STATUS', OBJ_ID: 'W-404', NEW_STATUS: 'completed' });
    expect(await unknown.json()).toMatchObject({ applied: 0, unknown: 1 });
    expect((await gw.call('GET', `${base}/widget/${id}`, { token: acme })).body.state).toBe('inProgress');
  });

  it('staff complete a manual task; a second completion is refused', async () => {
    const tasks = (await (await fetch(`${gw.url}/internal/tasks`, { headers: INTERNAL })).json()) as Array<{
      id: string;
      resourceId: string;
    }>;
    const task = tasks.find((t) => t.resourceId === id)!;
    const done = await fetch(`${gw.url}/internal/tasks/${task.id}/complete`, {
      method: 'POST',
      headers: { ...INTERNAL, 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'completed' }),
    });
    expect(done.status).toBe(200);
    expect((await gw.call('GET', `${base}/widget/${id}`, { token: acme })).body.state).toBe('completed');
    const twice = await fetch(`${gw.url}/internal/tasks/${task.id}/complete`, {
      method: 'POST',
      headers: { ...INTERNAL, 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'completed' }),
    });
    expect(twice.status).toBe(422);
  });

  it('actions respect the allowed states and name the property; a missing reference is referenceNotFound', async () => {
    const late = await gw.call('POST', `${base}/cancelWidget`, { token: acme, body: { widgetId: id } });
    expect(late.status).toBe(422);
    expect(late.body[0]).toMatchObject({ code: 'invalidValue', propertyPath: '/widgetId' });
    const list = await gw.call('GET', `${base}/widget?color=blue`, { token: acme });
    const cancelled = await gw.call('POST', `${base}/cancelWidget`, {
      token: acme,
      body: { widgetId: list.body[0].id },
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.state).toBe('cancelled');
    const missing = await gw.call('POST', `${base}/cancelWidget`, { token: acme, body: { widgetId: 'nope' } });
    expect(missing.body[0]).toMatchObject({ code: 'referenceNotFound', propertyPath: '/widgetId' });
  });

  it('a report that arrives before its document is stored is kept and applied once the create stores it', async () => {
    const early = await legacyEvent({
      EVT_TYPE: 'WIDGET_STATUS',
      OBJ_ID: 'W-9',
      NEW_STATUS: 'inProgress',
      INFO: 'early',
    });
    expect(await early.json()).toMatchObject({ applied: 0, unknown: 1 });
    const created = await gw.call('POST', `${base}/widget`, {
      token: acme,
      body: { color: 'green', legacyRef: 'W-9', item: [] },
    });
    expect(created.status).toBe(201);
    const res = await gw.call('GET', `${base}/widget/${created.body.id}`, { token: acme });
    expect(res.body.state).toBe('inProgress');
    expect(res.body.stateChange.map((c: { state: string }) => c.state)).toEqual(['acknowledged', 'inProgress']);
  });

  it('a document in a final state keeps it when a late report arrives', async () => {
    const late = await legacyEvent({ EVT_TYPE: 'WIDGET_STATUS', OBJ_ID: 'W-1', NEW_STATUS: 'inProgress' });
    expect(late.status).toBe(200);
    const res = await gw.call('GET', `${base}/widget/${id}`, { token: acme });
    expect(res.body.state).toBe('completed');
    expect(gw.logs.some((l) => l.message === 'status report ignored: the resource is already in a final state')).toBe(true);
  });

  it('another partner sees none of these: 404 by id, empty lists, referenceNotFound in actions', async () => {
    expect((await gw.call('GET', `${base}/widget/${id}`, { token: other })).status).toBe(404);
    const list = await gw.call('GET', `${base}/widget`, { token: other });
    expect(list.body).toEqual([]);
    expect(list.headers.get('x-total-count')).toBe('0');
    const cancel = await gw.call('POST', `${base}/cancelWidget`, { token: other, body: { widgetId: id } });
    expect(cancel.body[0].code).toBe('referenceNotFound');
  });
});
