/**
 * The web console in a real Chromium against a real gateway: sign in, partners, mappings, the playground on a
 * shipped fixture and on a broken mapping, activity, and dead letters (a viewer cannot replay, an editor can and the
 * listener gets the notification again). Writes the screenshots docs/console.md shows (docs/console/*.png).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { expect, test, type Page } from '@playwright/test';
import { startListener, type TestListener } from '../notify/support.js';
import { REPO_ROOT } from '../support/test-gateway.js';
import { startConsoleGateway, USERS, type ConsoleGateway } from './console-gateway.js';

const GRACE_TT = '/mefApi/sonata/troubleTicket/v4';
const LEGACY_KEY = 'demo-legacy-key-42';
const ACME = 'acme-telecom';
const MAPPING = 'partners/acme-telecom/mappings/address-validation.request.jsonata';

let cg: ConsoleGateway;
let listener: TestListener;
let deadLetterId: string;
/** the X-Request-Id the gateway answered the ticket create with */
let ticketRequestId: string;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  cg = await startConsoleGateway();
  listener = await startListener();
  deadLetterId = await makeDeadLetter();
});

test.afterAll(async () => {
  await listener?.close();
  await cg?.close();
});

/** What went wrong in the page: uncaught errors and anything the Content-Security-Policy refused. */
const pageProblems: string[] = [];

test.beforeEach(({ page }) => {
  pageProblems.length = 0;
  page.on('pageerror', (e) => pageProblems.push(`uncaught: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) pageProblems.push(`CSP: ${m.text()}`);
  });
});

test.afterEach(() => {
  // the app runs under the console's CSP without inline scripts or eval, and throws nothing
  expect(pageProblems).toEqual([]);
});

/** `minutes` from now, ISO. */
const at = (minutes: number): string => new Date(Date.now() + minutes * 60_000).toISOString();

/**
 * A real notification that dead-letters: ACME subscribes a listener that answers 500, opens a trouble ticket, and
 * the legacy BSS's fault desk moves it to work in progress; with one attempt per delivery it is dead at once.
 */
async function makeDeadLetter(): Promise<string> {
  const { gw } = cg;
  const token = await gw.token('acme');
  listener.script(500);
  const hub = await gw.call('POST', `${GRACE_TT}/hub`, {
    token,
    body: { callback: `${listener.origin}/acme`, query: 'eventType=troubleTicketStatusChangeEvent' },
  });
  expect(hub.status).toBe(201);
  const ticket = await gw.call('POST', `${GRACE_TT}/troubleTicket`, {
    token,
    body: {
      externalId: 'ACME-E2E-1',
      description: 'E-Line to Berlin HQ down since 10:00',
      ticketType: 'maintenance',
      priority: 'high',
      severity: 'significant',
      observedImpact: 'down',
      issueStartDate: at(-120),
      relatedEntity: [{ '@referredType': 'Product', id: 'AS-5000001', role: 'affectedProduct' }],
      relatedContactInformation: [
        { role: 'reporterContact', name: 'Eva Example', number: '+49 30 1234567', emailAddress: 'eva@acme.example' },
      ],
    },
  });
  expect(ticket.status, JSON.stringify(ticket.body)).toBe(201);
  ticketRequestId = ticket.headers.get('x-request-id')!;
  // the capture writes the record once the answer is sent
  await expect.poll(async () => (await cg.activity.get(ticketRequestId))?.status).toBe(201);
  const headers = { 'x-bss-api-key': LEGACY_KEY, 'content-type': 'application/json' };
  const search = await fetch(`${gw.gateway.legacyUrl}/bss/v2/faults/search`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ CUST_NO: 'C-100042', CUST_TT_REF: 'ACME-E2E-1' }),
  });
  const ttNo = ((await search.json()) as { FAULTS: Array<{ TT_NO: string }> }).FAULTS[0]!.TT_NO;
  const advanced = await fetch(`${gw.gateway.legacyUrl}/bss/v2/_sim/faults/${ttNo}/advance`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ TO: 'WIP' }),
  });
  expect(advanced.status).toBe(200);
  await listener.waitForCalls(1);
  await expect.poll(async () => (await gw.gateway.deliveries.deadLetters()).length).toBe(1);
  return (await gw.gateway.deliveries.deadLetters())[0]!.id;
}

async function signIn(page: Page, who: keyof typeof USERS): Promise<void> {
  await page.goto(cg.consoleUrl);
  await page.getByLabel('Username').fill(USERS[who].username);
  await page.getByLabel('Password').fill(USERS[who].password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('navigation', { name: 'Console' })).toBeVisible();
  await expect(page.getByLabel('Signed in user')).toContainText(`${USERS[who].username} ${who}`);
}

function shot(name: string): string {
  return join(REPO_ROOT, 'docs', 'console', `${name}.png`);
}

test('a wrong password is refused; the editor signs in and opens a partner', async ({ page }) => {
  const index = await page.goto(cg.consoleUrl);
  // the app runs under this policy (no inline script, nothing from elsewhere); afterEach fails on any refusal
  expect(index?.headers()['content-security-policy']).toContain("default-src 'self'");
  await page.getByLabel('Username').fill('editor');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('401');

  await signIn(page, 'editor');
  const partners = page.getByRole('table', { name: 'Partners' });
  await expect(partners.getByRole('link', { name: /ACME/i })).toBeVisible();

  await partners.getByRole('link', { name: /ACME/i }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(/ACME/i);
  const releases = page.getByRole('table', { name: 'Releases' });
  await expect(releases.getByRole('row', { name: /troubleTicket/ })).toContainText('grace');
  // each business function of partner.yaml with its mode
  await expect(page.getByRole('table', { name: 'Functions' }).getByRole('row', { name: /addressValidation/ })).toContainText('automated');
  // the listener the hub registered, with the dead delivery
  const callbacks = page.getByRole('table', { name: 'Callbacks' });
  await expect(callbacks).toContainText(listener.origin);
  await expect(callbacks).toContainText('dead');
  await page.screenshot({ path: shot('partners'), fullPage: true });

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByLabel('Username')).toBeVisible();
  expect(await page.evaluate(() => fetch('/console/api/session').then((r) => r.status))).toBe(401);
});

test('mappings of a partner: engine and fixtures', async ({ page }) => {
  await signIn(page, 'viewer');
  await page.goto(`${cg.consoleUrl}#/mappings?partner=${ACME}`);
  const row = page.getByRole('table', { name: 'Mappings' }).getByRole('row', { name: new RegExp(MAPPING.replace(/\./g, '\\.')) });
  await expect(row).toContainText('compiled');
  await expect(row).toContainText('2/2 pass');
  await expect(page.getByLabel('Last reload')).toBeVisible();
  await page.screenshot({ path: shot('mappings') });

  // a session that ends (expired, revoked) brings the sign-in page back on the next call
  await page.context().clearCookies();
  await page.getByRole('link', { name: 'Notifications' }).click();
  await expect(page.getByLabel('Username')).toBeVisible();
});

test('playground: a shipped fixture passes', async ({ page }) => {
  await signIn(page, 'viewer');
  await page.goto(`${cg.consoleUrl}#/playground?partner=${ACME}&file=${encodeURIComponent(MAPPING)}`);
  await expect(page.getByRole('textbox', { name: 'JSONata mapping' })).toContainText('submittedGeographicAddress');
  const fixture = page.getByLabel('Fixture');
  const option = fixture.locator('option', { hasText: 'split-house-number' });
  await fixture.selectOption((await option.getAttribute('value'))!);
  await expect(page.getByLabel('Input JSON')).toHaveValue(/Hauptstrasse 12a/);
  await page.getByRole('button', { name: 'Run' }).click();
  const result = page.getByRole('region', { name: 'Result' });
  await expect(result.getByRole('status')).toContainText('pass: matches the expected output');
  await expect(result.getByLabel('Output')).toContainText('"streetNrSuffix": "a"');
  // a viewer tries mappings but saves no fixture
  await expect(page.getByRole('button', { name: 'Save as fixture' })).toHaveCount(0);
  await page.screenshot({ path: shot('playground-pass'), fullPage: true });
});

test('playground: a fixture that expects a refusal passes when the mapping refuses', async ({ page }) => {
  await signIn(page, 'viewer');
  const file = 'partners/globex-networks/mappings/address-validation.request.jsonata';
  await page.goto(`${cg.consoleUrl}#/playground?partner=globex-networks&file=${encodeURIComponent(file)}`);
  const fixture = page.getByLabel('Fixture');
  const option = fixture.locator('option', { hasText: 'unknown-country' });
  await fixture.selectOption((await option.getAttribute('value'))!);
  await page.getByRole('button', { name: 'Run' }).click();
  const result = page.getByRole('region', { name: 'Result' });
  await expect(result.getByRole('status')).toContainText('pass: fails as the fixture expects');
  await expect(result.getByRole('alert')).toContainText('invalidValue');
});

test('playground: an editor saves a run as a new fixture file', async ({ page }) => {
  await signIn(page, 'editor');
  await page.goto(`${cg.consoleUrl}#/playground?partner=${ACME}&file=${encodeURIComponent(MAPPING)}`);
  await expect(page.getByRole('textbox', { name: 'JSONata mapping' })).toContainText('submittedGeographicAddress');
  await page.getByLabel('Input JSON').fill(
    JSON.stringify({
      submittedGeographicAddress: {
        '@type': 'FieldedAddress',
        streetName: 'Lindenallee 7',
        city: 'Berlin',
        postcode: '10117',
        country: 'Germany',
      },
    }),
  );
  await page.getByRole('button', { name: 'Run' }).click();
  await expect(page.getByRole('region', { name: 'Result' }).getByLabel('Output')).toContainText('"streetNr": "7"');
  await page.getByLabel('Fixture name').fill('e2e-lindenallee');
  await page.getByRole('button', { name: 'Save as fixture' }).click();
  const saved = page.getByRole('form', { name: 'Save as fixture' }).getByRole('status');
  await expect(saved).toContainText('e2e-lindenallee');
  const file = /Saved (\S+\.yaml)/.exec((await saved.textContent()) ?? '')?.[1];
  expect(file).toMatch(/^partners\/acme-telecom\/fixtures\/.*e2e-lindenallee.*\.yaml$/);
  const fixture = parse(readFileSync(join(cg.projectDir, file!), 'utf8')) as {
    input: unknown;
    expected: { submittedGeographicAddress: unknown };
  };
  expect(fixture.expected.submittedGeographicAddress).toMatchObject({ streetName: 'Lindenallee', streetNr: '7' });
  // the same name again is refused (409), and the message says so
  await page.getByRole('button', { name: 'Save as fixture' }).click();
  await expect(page.getByRole('form', { name: 'Save as fixture' }).getByRole('alert')).toContainText('409');
});

test('playground: a broken mapping shows the error at its line, in the editor too', async ({ page }) => {
  await signIn(page, 'editor');
  await page.goto(`${cg.consoleUrl}#/playground?partner=${ACME}&file=${encodeURIComponent(MAPPING)}`);
  const editor = page.getByRole('textbox', { name: 'JSONata mapping' });
  await expect(editor).toContainText('submittedGeographicAddress');
  await editor.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.insertText('/* broken on purpose */\n(\n  $s := submittedGeographicAddress;\n  $s.streetName = = "x"\n)\n');
  await page.getByRole('button', { name: 'Run' }).click();
  const error = page.getByRole('region', { name: 'Result' }).getByRole('alert');
  await expect(error).toContainText('line 4');
  // the diagnostic sits on line 4 of the editor
  const marked = page.locator('.cm-lintRange-error');
  await expect(marked).toHaveCount(1);
  await expect(page.locator('.cm-line').nth(3).locator('.cm-lintRange-error')).toHaveCount(1);
  await page.screenshot({ path: shot('playground-error'), fullPage: true });
});

test('activity: recent requests of a partner, found by correlation id, with their hops', async ({ page }) => {
  await signIn(page, 'viewer');
  await page.goto(`${cg.consoleUrl}#/activity?partner=${ACME}`);
  // the ticket's create among the partner's recent requests (the hub registration before it is there too)
  const create = page.getByRole('table', { name: 'Recent requests' }).getByRole('row').filter({ hasText: ticketRequestId });
  await expect(create).toContainText(/POST .*troubleTicket/);
  await expect(create).toContainText('201');

  await page.getByLabel('Correlation id').fill(ticketRequestId);
  await page.getByRole('button', { name: 'Find' }).click();
  const detail = page.getByRole('region', { name: `Request ${ticketRequestId}` });
  const hops = detail.getByRole('list', { name: 'Hops' });
  // what the capture recorded: the partner's request, the mapped call to the legacy BSS and its answer, the answer
  await expect(hops.getByRole('listitem').first()).toContainText('partner-request');
  await expect(hops.getByRole('listitem').nth(1)).toContainText('legacy-request');
  await expect(hops.getByRole('listitem').nth(1)).toContainText('mappings/legacy/');
  await expect(hops.getByRole('listitem').nth(2)).toContainText('legacy-response');
  await expect(hops.getByRole('listitem').last()).toContainText('partner-response');
  await hops.getByRole('listitem').first().getByText('Body').click();
  await expect(detail.getByLabel('Body of partner-request')).toContainText('ACME-E2E-1');
  await page.screenshot({ path: shot('activity'), fullPage: true });

  await page.getByLabel('Correlation id').fill('no-such-request');
  await page.getByRole('button', { name: 'Find' }).click();
  await expect(page.getByRole('region', { name: 'Request no-such-request' }).getByRole('alert')).toContainText('404');
});

test('API reference: a served OpenAPI document with its operations and schemas', async ({ page }) => {
  await signIn(page, 'viewer');
  await page.goto(`${cg.consoleUrl}#/api`);
  const doc = page.getByLabel('Document');
  const option = doc.locator('option', { hasText: /^grace · troubleTicket \(/ });
  await doc.selectOption((await option.getAttribute('value'))!);
  const article = page.getByRole('article', { name: 'OpenAPI document' });
  await expect(article.getByRole('heading', { level: 2 })).toContainText('Trouble Ticket');
  await article.locator('summary', { hasText: 'Creates a TroubleTicket' }).click();
  await expect(article).toContainText('operationId createTroubleTicket');
  // a schema that extends another (allOf + $ref) lists the properties of both
  const schema = article.locator('details.schema', {
    has: page.locator('summary code', { hasText: /^TroubleTicket_Create$/ }),
  });
  await schema.locator('summary').click();
  await expect(schema.getByRole('cell', { name: 'ticketType', exact: false }).first()).toBeVisible();
  await expect(schema.getByRole('cell', { name: 'externalId', exact: false }).first()).toBeVisible();
  await page.screenshot({ path: shot('api-reference') });
});

test('a viewer sees the dead letter but cannot replay it: no button, and the API answers 403', async ({ page }) => {
  await signIn(page, 'viewer');
  await page.goto(`${cg.consoleUrl}#/notifications`);
  const table = page.getByRole('table', { name: 'Dead letters' });
  await expect(table).toContainText('troubleTicketStatusChangeEvent');
  await expect(page.getByRole('button', { name: /^Replay/ })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^Discard/ })).toHaveCount(0);
  const status = await page.evaluate(async (id) => {
    const res = await fetch(`/console/api/notifications/dead-letters/${encodeURIComponent(id)}/replay`, {
      method: 'POST',
      headers: { 'x-console': '1' },
    });
    return res.status;
  }, deadLetterId);
  expect(status).toBe(403);
  expect(await cg.gw.gateway.deliveries.deadLetters()).toHaveLength(1);
});

test('an editor replays the dead letter and the listener gets the notification', async ({ page }) => {
  await signIn(page, 'editor');
  await page.goto(`${cg.consoleUrl}#/notifications`);
  const table = page.getByRole('table', { name: 'Dead letters' });
  await expect(table).toContainText('troubleTicketStatusChangeEvent');
  await page.screenshot({ path: shot('notifications'), fullPage: true });
  const before = listener.calls.length;
  await table.getByRole('button', { name: /^Replay/ }).click();
  await expect(page.getByRole('status')).toContainText('Replayed');
  const calls = await listener.waitForCalls(before + 1);
  const replayed = calls[before]!;
  expect(replayed.url).toBe('/acme/mefApi/sonata/troubleTicketNotification/v4/listener/troubleTicketStatusChangeEvent');
  expect(replayed.body).toEqual(calls[0]!.body);
  await expect(page.getByText('No dead letters.')).toBeVisible();
});

// last: the run creates documents and hub subscriptions of its own
test('conformance: an editor runs the suite for a partner and release and sees each case', async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, 'editor');
  await page.goto(`${cg.consoleUrl}#/conformance`);
  await page.getByLabel('Partner').selectOption(ACME);
  await page.getByLabel('Release').selectOption('grace');
  await page.getByRole('button', { name: 'Run' }).click();
  const cases = page.getByRole('table', { name: 'Conformance cases' });
  await expect(cases).toBeVisible({ timeout: 150_000 });
  await expect(page.getByRole('status')).toContainText(/\d+ passed \d+ failed \d+ skipped/);
  expect(await cases.getByRole('row').count()).toBeGreaterThan(1);
  await page.screenshot({ path: shot('conformance') });
});
