import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSpecCatalog, type SonataRelease, type SpecApi } from '../../src/conformance/openapi-validator.js';
import { ConfigError } from '../../src/config/yaml-source.js';
import { loadNotificationCatalog } from '../../src/registry/notification-catalog.js';
import { RELEASES, SDK_DIR, shippedCatalog } from './support.js';

const spec = createSpecCatalog({ sdkDir: SDK_DIR });

/** The notification spec file a catalogue entry points at (Billie's TT listeners share the management base path). */
function notificationSpec(release: SonataRelease, notificationApi: string, version: string): SpecApi | undefined {
  return [notificationApi, `${notificationApi}Notification`]
    .map((name) => spec.api(release, name))
    .find((api) => api !== undefined && /Notification\.api\.ya?ml$/.test(api.file) && api.major === version);
}

function serverBase(file: string): string | undefined {
  return /mefApi\/sonata\/([A-Za-z0-9]+\/v\d+)\//.exec(readFileSync(file, 'utf8'))?.[1];
}

const EXPECTED_APIS: Record<SonataRelease, string[]> = {
  billie: ['productOfferingQualification', 'productOrderingManagement', 'quoteManagement', 'troubleTicket'],
  grace: [
    'appointment',
    'customerBillManagement',
    'productCatalog',
    'productOfferingQualification',
    'productOrderingManagement',
    'quoteManagement',
    'troubleTicket',
    'workOrderManagement',
  ],
  kylie: [
    'appointment',
    'cimIncident',
    'customerBillManagement',
    'geographicAddressManagement',
    'productCatalog',
    'productOfferingQualification',
    'productOrderingManagement',
    'quoteManagement',
    'troubleTicket',
    'workOrderManagement',
  ],
};

describe('shipped notification catalogues agree with the official specs', () => {
  for (const release of RELEASES) {
    describe(release, () => {
      const catalog = shippedCatalog(release);

      it('loads, names its release, and covers every in-scope management API that has a hub', () => {
        expect(catalog.release).toBe(release);
        expect(catalog.partyIds).toBe(release === 'kylie' ? 'query' : 'body');
        expect([...catalog.apis.keys()].sort()).toEqual(EXPECTED_APIS[release]);
      });

      for (const api of [...catalog.apis.values()]) {
        it(`${api.apiName}: management version, notification base path and listener set match the spec files`, () => {
          const management = spec.api(release, api.apiName);
          expect(management, `no management API ${api.apiName} in ${release}`).toBeDefined();
          expect(management?.major).toBe(api.version);
          expect(management?.operation('POST', '/hub'), 'the management API offers POST /hub').toBeDefined();

          const notification = notificationSpec(release, api.notificationApi, api.notificationVersion);
          expect(notification, `no notification spec ${api.notificationApi}/${api.notificationVersion}`).toBeDefined();
          // the wire base path the renderer appends to callbacks is the one the spec's server declares
          expect(serverBase(notification!.file)).toBe(`${api.notificationApi}/${api.notificationVersion}`);

          const listeners = notification!.operations
            .filter((op) => op.method === 'POST' && op.path.startsWith('/listener/'))
            .map((op) => op.path.slice('/listener/'.length));
          // an event's listener is its eventType unless the file names it otherwise (Grace's catalogue: `listener`)
          expect([...api.events.values()].map((e) => e.listener ?? e.eventType).sort()).toEqual(listeners.sort());
          expect(catalog.eventTypes(api.apiName).sort()).toEqual([...api.events.keys()].sort());
        });
      }
    });
  }

  it('maps renamed events to the gateway (Grace) name, and finds events by that name', () => {
    const kylie = shippedCatalog('kylie');
    expect(kylie.findEvent('productOrderingManagement', 'productOrderItemExpectedCompletionDateSet')?.eventType).toBe(
      'productOrderItemExpectedCompletionDateSetEvent',
    );
    expect(kylie.findEvent('productOrderingManagement', 'productOrderItemExpectedCompletionDateSetEvent')).toBeUndefined();
    expect(kylie.findEvent('productOfferingQualification', 'poqCreateEvent')).toBeUndefined();
    const billie = shippedCatalog('billie');
    expect(billie.findEvent('productOrderingManagement', 'modifyProductOrderItemRequestedDeliveryDateStateChangeEvent')?.eventType).toBe(
      'modifyProductOrderItemCompletionDateStateChangeEvent',
    );
    expect(shippedCatalog('grace').eventTypes('productInventory')).toEqual([]);
  });
});

describe('loadNotificationCatalog refuses bad files, naming file:line:col', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sgw-notify-catalog-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function write(release: string, text: string): string {
    mkdirSync(join(dir, release), { recursive: true });
    const file = join(dir, release, 'notifications.yaml');
    writeFileSync(file, text);
    return file;
  }

  function problemsOf(file: string): string[] {
    try {
      loadNotificationCatalog(file);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as ConfigError).message.split('\n');
    }
    throw new Error('expected a ConfigError');
  }

  it('reports schema violations at their line', () => {
    const file = write(
      'grace',
      [
        'release: grace',
        'partyIds: header',
        'apis:',
        '  quoteManagement:',
        '    version: 8',
        '    notificationApi: quoteNotification',
        '    events:',
        '      quoteStateChangeEvent: { stateFeld: state }',
        '',
      ].join('\n'),
    );
    const problems = problemsOf(file);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/notifications\.yaml:2:\d+ partyIds: must be one of "body", "query"/),
        expect.stringMatching(/notifications\.yaml:5:\d+ apis\.quoteManagement\.version: must match pattern/),
        expect.stringMatching(/notifications\.yaml:5:\d+ apis\.quoteManagement: missing required property "notificationVersion"/),
        expect.stringMatching(/notifications\.yaml:8:\d+ .*unknown property "stateFeld"/),
      ]),
    );
  });

  it('reports a release that is not its folder, and two events claiming one gateway event type', () => {
    const file = write(
      'kylie',
      [
        'release: grace',
        'partyIds: query',
        'apis:',
        '  productOrderingManagement:',
        '    version: v11',
        '    notificationApi: productOrderingNotification',
        '    notificationVersion: v11',
        '    events:',
        '      productOrderItemExpectedCompletionDateSet: {}',
        '      productOrderItemExpectedCompletionDateSetEvent: { internalType: productOrderItemExpectedCompletionDateSet }',
        '',
      ].join('\n'),
    );
    const problems = problemsOf(file);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/notifications\.yaml:1:10 release: must equal the folder name "kylie"/);
    expect(problems[1]).toMatch(
      /notifications\.yaml:10:\d+ .*internalType: gateway event type "productOrderItemExpectedCompletionDateSet" is already rendered/,
    );
  });

  it('reports an unreadable file', () => {
    expect(problemsOf(join(dir, 'missing', 'notifications.yaml'))[0]).toMatch(/cannot read file/);
  });
});
