import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP } from '../../src/console/console-router.js';
import { runRegistryFixtures } from '../../src/registry/run-fixtures.js';
import { startListener, type TestListener } from '../notify/support.js';
import { copyProject, SDK_DIR, startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { consoleClient, forgeSession } from './support.js';
import { pollUntil } from '../support/wait.js';

const ACME_MAPPING = 'partners/acme-telecom/mappings/address-validation.request.jsonata';

describe('the console API on the admin port', () => {
  let project: ReturnType<typeof copyProject>;
  let gw: TestGateway;
  let c: ReturnType<typeof consoleClient>;
  let editor: string;
  let viewer: string;
  let listener: TestListener;

  beforeAll(async () => {
    project = copyProject();
    // the copy lives in a temp folder: the SDK stays where the repository's default points
    // capture off here (test.yaml has it on): the Activity page's answer when the operator disabled it
    gw = await startTestGateway({
      rootDir: project.dir,
      env: { ADMIN_PORT: '0', SONATA_SDK_DIR: SDK_DIR, ACTIVITY_ENABLED: 'false' },
    });
    c = consoleClient(gw.adminUrl!);
    editor = await c.signIn('editor');
    viewer = await c.signIn('viewer');
    listener = await startListener();
  }, 60_000);
  afterAll(async () => {
    await listener?.close();
    await gw?.close();
    project?.cleanup();
  });

  describe('sign-in', () => {
    it('a good password signs in with an HttpOnly, SameSite=Strict, expiring cookie scoped to /console', async () => {
      const res = await c.call('POST', '/api/session', { body: { username: 'editor', password: 'editor-demo-2026' } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ user: { name: 'editor', role: 'editor' } });
      const cookie = res.headers.getSetCookie().find((s) => s.startsWith('sgw_console='))!;
      expect(cookie).toMatch(/; HttpOnly/);
      expect(cookie).toMatch(/; SameSite=Strict/);
      expect(cookie).toMatch(/; Path=\/console/);
      expect(cookie).toMatch(/; Max-Age=\d+/);
      const session = await c.call('GET', '/api/session', { cookie: cookie.split(';')[0] });
      expect(session.status).toBe(200);
      expect(session.body).toEqual({
        user: { name: 'editor', role: 'editor' },
        signIn: { local: true, oauth2: false },
      });
    });

    it('a wrong password and an unknown user get the same 401, which says how to sign in', async () => {
      const wrong = await c.call('POST', '/api/session', { body: { username: 'editor', password: 'not-it' } });
      const unknown = await c.call('POST', '/api/session', { body: { username: 'nobody', password: 'not-it' } });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.body).toEqual(unknown.body);
      expect(wrong.body).toMatchObject({ code: 'invalidCredentials', signIn: { local: true, oauth2: false } });
      expect(wrong.headers.getSetCookie()).toEqual([]);
    });

    it('no cookie, a tampered one, an expired one or one signed with another secret: 401', async () => {
      const none = await c.call('GET', '/api/session');
      expect(none.status).toBe(401);
      expect(none.body).toMatchObject({ code: 'missingCredentials', signIn: { local: true, oauth2: false } });
      const [payload, mac] = editor.slice('sgw_console='.length).split('.');
      const asEditor = Buffer.from(
        JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), r: 'editor', n: 'viewer' }),
      ).toString('base64url');
      for (const cookie of [
        `sgw_console=${asEditor}.${mac}`,
        `sgw_console=${payload}.${mac!.slice(0, -2)}AA`,
        forgeSession({ n: 'editor', r: 'editor', s: 'local' }, new Date(Date.now() - 1000)),
        forgeSession(
          { n: 'editor', r: 'editor', s: 'local' },
          new Date(Date.now() + 3_600_000),
          'another-secret-of-at-least-32-bytes-0123456789',
        ),
      ]) {
        const res = await c.call('GET', '/api/overview', { cookie });
        expect(res.status, cookie).toBe(401);
      }
      expect(
        (
          await c.call('GET', '/api/overview', {
            cookie: forgeSession({ n: 'editor', r: 'editor', s: 'local' }, new Date(Date.now() + 60_000)),
          })
        ).status,
      ).toBe(200);
      // a validly signed session of a local user who is no longer in the users file, and one whose role changed
      expect(
        (
          await c.call('GET', '/api/session', {
            cookie: forgeSession({ n: 'ghost', r: 'editor', s: 'local' }, new Date(Date.now() + 60_000)),
          })
        ).status,
      ).toBe(401);
      expect(
        (
          await c.call('GET', '/api/session', {
            cookie: forgeSession({ n: 'viewer', r: 'editor', s: 'local' }, new Date(Date.now() + 60_000)),
          })
        ).body.user,
      ).toEqual({ name: 'viewer', role: 'viewer' });
    });

    it('sign-out clears the cookie', async () => {
      const res = await c.call('DELETE', '/api/session', { cookie: viewer });
      expect(res.status).toBe(204);
      expect(res.headers.getSetCookie()[0]).toMatch(/^sgw_console=; Path=\/console; HttpOnly; SameSite=Strict; Max-Age=0/);
    });

    it('changes without X-Console: 1 are refused with 403, even signed in', async () => {
      const res = await c.call('POST', '/api/playground/evaluate', {
        cookie: editor,
        xConsole: false,
        body: { source: '1', input: {} },
      });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ code: 'accessDenied', message: expect.stringContaining('X-Console') });
      expect((await c.call('DELETE', '/api/notifications/dead-letters/x', { cookie: editor, xConsole: false })).status).toBe(403);
    });
  });

  describe('data', () => {
    it('overview: version, snapshot hash, no reload yet, activity off', async () => {
      const res = await c.call('GET', '/api/overview', { cookie: viewer });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        snapshotHash: gw.gateway.registry.current().hash,
        lastReload: null,
        activity: { enabled: false },
      });
      expect(res.body.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(res.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    });

    it('partners and one partner; an unknown one is 404', async () => {
      const list = await c.call('GET', '/api/partners', { cookie: viewer });
      expect(list.status).toBe(200);
      const acme = list.body.find((p: { id: string }) => p.id === 'acme-telecom');
      expect(acme).toMatchObject({
        name: expect.any(String),
        releases: { geographicAddressManagement: 'grace' },
        callbacks: [],
      });
      expect(acme.functions).toContainEqual({ function: 'addressValidation', mode: expect.any(String) });
      expect((await c.call('GET', '/api/partners/acme-telecom', { cookie: viewer })).body).toEqual(acme);
      expect((await c.call('GET', '/api/partners/nobody', { cookie: viewer })).status).toBe(404);
    });

    it("a partner's mappings with their fixtures' outcomes; source only of loaded mappings under mappings/ and partners/", async () => {
      const list = await c.call('GET', '/api/mappings?partner=acme-telecom', { cookie: viewer });
      expect(list.status).toBe(200);
      const own = list.body.find((m: { file: string }) => m.file === ACME_MAPPING);
      expect(own).toMatchObject({
        owner: 'partner:acme-telecom',
        step: 'request',
        operation: 'createGeographicAddressValidation',
      });
      expect(own.fixtures.length).toBeGreaterThan(0);
      expect(own.fixtures.every((f: { ok: boolean }) => f.ok)).toBe(true);
      expect(list.body.some((m: { owner: string }) => m.owner === 'partner:globex-networks')).toBe(false);
      const source = await c.call('GET', `/api/mappings/source?file=${encodeURIComponent(ACME_MAPPING)}`, {
        cookie: viewer,
      });
      expect(source.status).toBe(200);
      expect(source.body.source).toBe(readFileSync(join(project.dir, ACME_MAPPING), 'utf8'));
      expect(source.body.fixtures[0]).toMatchObject({
        file: expect.stringMatching(/^partners\/acme-telecom\/fixtures\//),
        input: expect.any(Object),
        expected: expect.any(Object),
      });
      for (const file of [
        'config/test.env',
        '../../../etc/passwd',
        'partners/acme-telecom/partner.yaml',
        `${ACME_MAPPING}/../../../../config/test.env`,
      ]) {
        expect((await c.call('GET', `/api/mappings/source?file=${encodeURIComponent(file)}`, { cookie: viewer })).status, file).toBe(404);
      }
    });

    it('activity with capture off: nothing to show, and says so', async () => {
      expect((await c.call('GET', '/api/activity', { cookie: viewer })).body).toEqual({ enabled: false, records: [] });
      expect((await c.call('GET', '/api/activity/abc', { cookie: viewer })).status).toBe(404);
    });
  });

  describe('playground', () => {
    it("evaluates a shipped fixture's mapping to its expected output (empty diff)", async () => {
      const source = await c.call('GET', `/api/mappings/source?file=${encodeURIComponent(ACME_MAPPING)}`, {
        cookie: viewer,
      });
      const fixture = source.body.fixtures[0];
      const res = await c.call('POST', '/api/playground/evaluate', {
        cookie: viewer,
        body: {
          partnerId: 'acme-telecom',
          file: ACME_MAPPING,
          source: source.body.source,
          input: fixture.input,
          bindings: fixture.bindings,
          expected: fixture.expected,
        },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ ok: true, output: fixture.expected, diff: [] });
      expect(typeof res.body.ms).toBe('number');
      // an edited source shows the difference, pointer by pointer
      const edited = await c.call('POST', '/api/playground/evaluate', {
        cookie: viewer,
        body: {
          file: ACME_MAPPING,
          source: '$ ~> |submittedGeographicAddress|{"city": "Bonn"}|',
          input: fixture.input,
          expected: fixture.expected,
        },
      });
      expect(edited.body.ok).toBe(true);
      expect(edited.body.diff).toContainEqual(expect.stringMatching(/^\/submittedGeographicAddress\/city: expected "[^"]*", got "Bonn"$/));
    });

    it('a syntax error is answered with its line and column in the posted source', async () => {
      const res = await c.call('POST', '/api/playground/evaluate', {
        cookie: viewer,
        body: { source: '{\n  "a": $foo(\n}', input: {} },
      });
      expect(res.status).toBe(200);
      expect(res.body.ok).toBe(false);
      expect(res.body.error).toMatchObject({
        line: expect.any(Number),
        column: expect.any(Number),
        message: expect.any(String),
      });
      expect(res.body.error.line).toBeGreaterThanOrEqual(2);
    });

    it('runaway recursion and a long loop end in a clear error within the deadline, not a hang', async () => {
      // a tail call (no depth grows: only the deadline stops it), and a recursion that nests
      const recursion = await c.call('POST', '/api/playground/evaluate', {
        cookie: viewer,
        body: { source: '($f := function(){ $f() }; $f())', input: {} },
      });
      expect(recursion.body).toMatchObject({
        ok: false,
        error: { kind: 'timeout', code: 'D1012', line: 1, message: expect.stringContaining('deadline') },
      });
      const nested = await c.call('POST', '/api/playground/evaluate', {
        cookie: viewer,
        body: { source: '($f := function($n){ $n + $f($n + 1) }; $f(0))', input: {} },
      });
      expect(nested.body).toMatchObject({
        ok: false,
        error: { kind: 'depth', code: 'D1011', message: expect.stringContaining('depth') },
      });
      const loop = await c.call('POST', '/api/playground/evaluate', {
        cookie: viewer,
        body: { source: '$count([1..9999999].($ * 2))', input: {} },
      });
      expect(loop.body).toMatchObject({ ok: false, error: { kind: 'timeout', message: expect.any(String) } });
      // the server still answers
      expect((await c.call('GET', '/api/overview', { cookie: viewer })).status).toBe(200);
    });
  });

  describe('editor actions', () => {
    it('a viewer gets 403 on fixtures, replays, discards and conformance runs', async () => {
      for (const [method, path, body] of [
        ['POST', '/api/fixtures', { file: ACME_MAPPING, name: 'x', input: {}, expected: {} }],
        ['POST', '/api/notifications/dead-letters/x/replay', undefined],
        ['DELETE', '/api/notifications/dead-letters/x', undefined],
        ['POST', '/api/conformance/runs', { partnerId: 'acme-telecom' }],
      ] as const) {
        const res = await c.call(method, path, { cookie: viewer, body });
        expect(res.status, path).toBe(403);
        expect(res.body).toMatchObject({ code: 'accessDenied' });
      }
    });

    it("saves a fixture beside the mapping's others that then runs green; 409 when it exists, 422 when the output differs", async () => {
      const source = await c.call('GET', `/api/mappings/source?file=${encodeURIComponent(ACME_MAPPING)}`, {
        cookie: editor,
      });
      const { input, expected } = source.body.fixtures[0];
      const saved = await c.call('POST', '/api/fixtures', {
        cookie: editor,
        body: { file: ACME_MAPPING, name: 'console-saved', description: 'saved from the console', input, expected },
      });
      expect(saved.status).toBe(201);
      expect(saved.body).toEqual({
        fixture: 'partners/acme-telecom/fixtures/address-validation.request.console-saved.yaml',
      });
      expect(
        (
          await c.call('POST', '/api/fixtures', {
            cookie: editor,
            body: { file: ACME_MAPPING, name: 'console-saved', input, expected },
          })
        ).status,
      ).toBe(409);
      const wrong = await c.call('POST', '/api/fixtures', {
        cookie: editor,
        body: {
          file: ACME_MAPPING,
          name: 'console-wrong',
          input,
          expected: { ...expected, provideAlternative: 'nope' },
        },
      });
      expect(wrong.status).toBe(422);
      expect(wrong.body[0]).toMatchObject({
        code: 'invalidValue',
        reason: expect.stringContaining('/provideAlternative'),
      });
      expect(existsSync(join(project.dir, 'partners/acme-telecom/fixtures/address-validation.request.console-wrong.yaml'))).toBe(false);

      await gw.gateway.registry.reload();
      const outcomes = await runRegistryFixtures(gw.gateway.registry.current(), { partnerId: 'acme-telecom' });
      const mine = outcomes.find((o) => o.ref.file.endsWith('address-validation.request.console-saved.yaml'));
      expect(mine?.ok).toBe(true);
    });

    it('fixture names and mapping files cannot leave their folders', async () => {
      for (const name of ['../../../evil', '..', 'a/b', '.hidden', 'x'.repeat(200)]) {
        const res = await c.call('POST', '/api/fixtures', {
          cookie: editor,
          body: { file: ACME_MAPPING, name, input: {}, expected: {} },
        });
        expect(res.status, name).toBe(400);
      }
      for (const file of ['../outside.jsonata', '/etc/passwd', 'config/test.yaml']) {
        const res = await c.call('POST', '/api/fixtures', {
          cookie: editor,
          body: { file, name: 'x', input: {}, expected: {} },
        });
        expect(res.status, file).toBe(404);
      }
    });

    it('dead letters: listed, replayed to the listener (202), discarded (204); unknown ids 404', async () => {
      listener.script(500, 500, 500, 500, 500, 500, 500, 500);
      const url = `${listener.origin}/listener/acme?token=s3cret`;
      const delivery = (id: string) => ({
        id,
        partnerId: 'acme-telecom',
        subscriptionId: 'sub-1',
        url,
        body: { eventId: id },
        eventType: 'productOrderStateChangeEvent',
        eventId: id,
      });
      await gw.gateway.deliveries.enqueue(delivery('dl-1'));
      await gw.gateway.deliveries.enqueue(delivery('dl-2'));
      await pollUntil(
        async () => expect((await c.call('GET', '/api/notifications', { cookie: viewer })).body.deadLetters).toHaveLength(2),
        { timeout: 15_000, interval: 50 },
      );
      const list = await c.call('GET', '/api/notifications', { cookie: viewer });
      expect(list.body.backlog).toEqual({ depth: 0 });
      expect(JSON.stringify(list.body)).not.toContain('s3cret');
      const calls = listener.calls.length;

      expect((await c.call('POST', '/api/notifications/dead-letters/nope/replay', { cookie: editor })).status).toBe(404);
      const replay = await c.call('POST', '/api/notifications/dead-letters/dl-1/replay', { cookie: editor });
      expect(replay.status).toBe(202);
      const received = await listener.waitForCalls(calls + 1);
      expect(received[calls]?.body).toEqual({ eventId: 'dl-1' });

      expect((await c.call('DELETE', '/api/notifications/dead-letters/nope', { cookie: editor })).status).toBe(404);
      expect((await c.call('DELETE', '/api/notifications/dead-letters/dl-2', { cookie: editor })).status).toBe(204);
      await pollUntil(async () =>
        expect(
          (await c.call('GET', '/api/notifications', { cookie: viewer })).body.deadLetters.map((d: { id: string }) => d.id),
        ).not.toContain('dl-2'),
      );
      const partner = await c.call('GET', '/api/partners/acme-telecom', { cookie: viewer });
      expect(partner.body.callbacks[0]).toMatchObject({
        url: expect.stringContaining('token=redacted'),
        lastDelivery: { outcome: expect.stringMatching(/^(delivered|dead|retry)$/) },
      });
    });

    it.skipIf(!existsSync(SDK_DIR))(
      'an editor runs the conformance cases of a partner and release against this gateway',
      async () => {
        const res = await c.call('POST', '/api/conformance/runs', {
          cookie: editor,
          body: { partnerId: 'acme-telecom', release: 'grace', functions: ['addressValidation'] },
        });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(res.body).toMatchObject({ partnerId: 'acme-telecom', release: 'grace', failed: 0 });
        expect(res.body.passed).toBeGreaterThan(0);
        expect(res.body.cases.length).toBe(res.body.passed + res.body.failed + res.body.skipped);
        for (const kase of res.body.cases) {
          expect(kase).toMatchObject({
            name: expect.any(String),
            function: 'addressValidation',
            status: expect.stringMatching(/^(passed|failed|skipped)$/),
            ms: expect.any(Number),
          });
        }
        const unknown = await c.call('POST', '/api/conformance/runs', {
          cookie: editor,
          body: { partnerId: 'nobody' },
        });
        expect(unknown.status).toBe(400);
        expect(unknown.body.message).toContain('unknown partner');
      },
      60_000,
    );

    it('openapi index points at console paths; an unknown document is 404', async () => {
      const index = await c.call('GET', '/api/openapi', { cookie: viewer });
      expect(index.status).toBe(200);
      if (index.body.available) {
        const first = index.body.documents[0];
        expect(first.href).toBe(`/console/api/openapi/${first.release}/${first.api}.json`);
        expect((await c.call('GET', first.href.slice('/console'.length), { cookie: viewer })).status).toBe(200);
      }
      expect((await c.call('GET', '/api/openapi/grace/nothing.json', { cookie: viewer })).status).toBe(404);
    });
  });

  describe('reloads', () => {
    it('the overview shows the last reload: a partner refused with file:line problems, then ok again', async () => {
      const file = join(project.dir, ACME_MAPPING);
      const good = readFileSync(file, 'utf8');
      writeFileSync(file, '{\n  "a": $foo(\n}');
      try {
        await gw.gateway.registry.reload();
        const broken = await c.call('GET', '/api/overview', { cookie: viewer });
        expect(broken.body.lastReload).toMatchObject({ result: 'ok', at: expect.any(String) });
        expect(broken.body.lastReload.problems).toContainEqual(
          expect.objectContaining({
            file: expect.stringContaining('address-validation.request.jsonata'),
            line: expect.any(Number),
            message: expect.any(String),
          }),
        );
      } finally {
        writeFileSync(file, good);
      }
      await gw.gateway.registry.reload();
      const fixed = await c.call('GET', '/api/overview', { cookie: viewer });
      expect(fixed.body.lastReload).toMatchObject({ result: 'ok', problems: [] });
      expect(fixed.body.snapshotHash).toBe(gw.gateway.registry.current().hash);
    });
  });

  describe('the browser app', () => {
    it('answers 503 saying to build it while dist/console is missing, then serves it with the SPA fallback and the CSP', async () => {
      const dist = join(project.dir, 'dist', 'console');
      rmSync(dist, { recursive: true, force: true });
      const missing = await c.call('GET', '/');
      expect(missing.status).toBe(503);
      expect(missing.body.reason).toContain('npm run build');
      expect(missing.headers.get('content-security-policy')).toBe(CONSOLE_CSP);

      mkdirSync(join(dist, 'assets'), { recursive: true });
      writeFileSync(
        join(dist, 'index.html'),
        '<!doctype html><title>console</title><script type="module" src="/console/assets/app.js"></script>',
      );
      writeFileSync(join(dist, 'assets', 'app.js'), 'console.log(1)');
      for (const page of ['/', '/partners', '/mappings/acme']) {
        const res = await c.call('GET', page);
        expect(res.status, page).toBe(200);
        expect(res.body).toContain('<title>console</title>');
        expect(res.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
      }
      const asset = await c.call('GET', '/assets/app.js');
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
      expect((await c.call('GET', '/assets/missing.js')).status).toBe(404);
      expect((await c.call('GET', '/api/nothing', { cookie: viewer })).status).toBe(404);
    });

    it('is not on the main (partner) port', async () => {
      expect((await fetch(`${gw.url}/console/api/session`)).status).toBe(404);
    });
  });
});
