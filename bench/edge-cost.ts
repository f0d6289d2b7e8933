/**
 * What one large or hostile body costs the gateway: CPU of the request and the longest event-loop stall while it is
 * in flight, for order creates of about 1 MiB in several shapes (one long array, many arrays at the limit, wide
 * objects, one long string, many wrong items) and the 60,000-item order of issue 15. The gateway runs in this
 * process with the embedded legacy BSS and spec validation enforced (the test environment), as a partner would
 * meet it. Run: `npm run bench:edge` (or `npx tsx bench/edge-cost.ts`).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { buildGateway } from '../src/gateway.js';
import { demoBackends } from '../simulators/src/demo-backends.js';
import { createLogger } from '../src/observability/logger.js';

let root = resolve(fileURLToPath(import.meta.url), '..');
while (!existsSync(join(root, 'package.json'))) root = resolve(root, '..');

const CONTACT = {
  role: 'productOrderContact',
  name: 'Anna Buyer',
  number: '+49 30 1234567',
  emailAddress: 'anna.buyer@example.com',
};
function order(over: Record<string, unknown> = {}, item: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    externalId: `EDGE-${Math.random().toString(36).slice(2)}`,
    relatedContactInformation: [CONTACT],
    productOrderItem: [
      {
        id: 'item-1',
        action: 'add',
        requestedCompletionDate: new Date(Date.now() + 30 * 86400_000).toISOString(),
        product: {
          productConfiguration: { '@type': 'ACCESS_E_LINE', bandwidthMbps: 100, classOfService: 'gold' },
          place: [{ '@type': 'GeographicSiteRef', role: 'INSTALL_LOCATION', id: 'ST-100001' }],
        },
        requestedItemTerm: {
          name: '36 months',
          duration: { amount: 36, units: 'calendarMonths' },
          endOfTermAction: 'autoRenew',
        },
        ...item,
      },
    ],
    ...over,
  };
}

const SHAPES: Array<[string, () => unknown]> = [
  ['60,000 invalid contacts (120 KB)', () => order({ relatedContactInformation: Array.from({ length: 60_000 }, () => 0) })],
  [
    '500 arrays of 990 numbers',
    () =>
      order({
        relatedContactInformation: Array.from({ length: 500 }, () => ({
          name: 'x',
          extra: Array.from({ length: 990 }, () => 0),
        })),
      }),
  ],
  [
    '1,000 contacts, each wrong 4 ways',
    () =>
      order({
        relatedContactInformation: Array.from({ length: 1000 }, () => ({
          role: 1,
          name: 2,
          number: 3,
          emailAddress: 4,
          pad: 'y'.repeat(900),
        })),
      }),
  ],
  ['1,000 notes x 200 numbers', () => order({}, { note: Array.from({ length: 1000 }, () => Array.from({ length: 200 }, () => 0)) })],
  ['wide object, 60,000 keys', () => order({ wide: Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`k${i}`, i])) })],
  ['one 1 MB string', () => order({ externalId: 'x'.repeat(1_000_000) })],
];

const gateway = await buildGateway({
  rootDir: root,
  env: 'test',
  processEnv: { ...process.env, LOG_LEVEL: 'error' },
  backends: demoBackends,
  watch: false,
  logger: createLogger({ level: 'error', silent: true }),
});
const { url } = await gateway.listen();
try {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: 'acme-telecom',
    client_secret: 'acme-demo-secret-2026',
  });
  const token = ((await (await fetch(`${url}/oauth2/token`, { method: 'POST', body: form })).json()) as { access_token: string })
    .access_token;
  console.log('| body | bytes | status | answer bytes | CPU ms | max event-loop delay ms |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const [label, make] of SHAPES) {
    const raw = JSON.stringify(make());
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const cpu = process.cpuUsage();
    const res = await fetch(`${url}/mefApi/sonata/productOrderingManagement/v10/productOrder`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: raw,
    });
    const answer = await res.text();
    const used = process.cpuUsage(cpu);
    delay.disable();
    console.log(
      `| ${label} | ${raw.length} | ${res.status} | ${answer.length} | ${((used.user + used.system) / 1000).toFixed(0)} | ${(delay.max / 1e6).toFixed(0)} |`,
    );
  }
} finally {
  await gateway.close();
}
