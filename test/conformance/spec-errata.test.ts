// Errata to the official files: a TroubleTicket_Find item without resolutionDate (an unresolved ticket) is a
// violation of the file as published and valid once the project's erratum applies; an erratum that no longer
// matches the file stops the load; the errata file is checked with file:line like all other data.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/yaml-source.js';
import { createSpecCatalog } from '../../src/conformance/openapi-validator.js';
import { loadSpecErrata, type SpecErratum } from '../../src/conformance/spec-errata.js';
import { SPEC_ERRATA } from '../support/test-gateway.js';
import { sdkDir } from './sdk-dir.js';

const tmp = mkdtempSync(join(tmpdir(), 'sgw-errata-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** An open ticket as the gateway lists it: no resolution yet, and the Buyer gave no external id. */
const openTicket = {
  id: 'b7c1e0de-0000-4000-8000-000000000001',
  href: '/x',
  creationDate: '2026-11-25T08:00:00Z',
  description: 'packet loss',
  expectedResolutionDate: '2026-11-26T08:00:00Z',
  priority: 'medium',
  severity: 'moderate',
  sellerPriority: 'medium',
  sellerSeverity: 'moderate',
  status: 'acknowledged',
  ticketType: 'assistance',
  observedImpact: 'intermittent',
  relatedEntity: [{ '@referredType': 'Product', id: 'AS-5000001', role: 'affectedProduct' }],
};

describe('spec errata', () => {
  it('the file as published refuses an unresolved ticket in a list; with the errata it is valid, in every release', () => {
    const plain = createSpecCatalog({ sdkDir });
    const corrected = createSpecCatalog({ sdkDir, errata: SPEC_ERRATA });
    for (const release of ['grace', 'kylie'] as const) {
      const published = plain.api(release, 'troubleTicket')!.operationById('listTroubleTicket')!.validateResponseBody(200, [openTicket]);
      expect(published.map((i) => i.path).sort()).toEqual(['/0/externalId', '/0/resolutionDate']);
      const fixed = corrected.api(release, 'troubleTicket')!;
      expect(fixed.operationById('listTroubleTicket')!.validateResponseBody(200, [openTicket])).toEqual([]);
      expect(fixed.errata.map((e) => e.id)).toEqual(['tt-find-resolution-date', 'tt-find-external-id']);
    }
    // Billie has no observedImpact; otherwise the same
    const { observedImpact: _, ...billieTicket } = openTicket;
    expect(corrected.api('billie', 'troubleTicket')!.operationById('listTroubleTicket')!.validateResponseBody(200, [billieTicket])).toEqual(
      [],
    );
    // only what the erratum names is relaxed: a list item still needs its status
    const { status: __, ...noStatus } = openTicket;
    expect(
      corrected
        .api('grace', 'troubleTicket')!
        .operationById('listTroubleTicket')!
        .validateResponseBody(200, [noStatus])
        .map((i) => i.path),
    ).toEqual(['/0/status']);
    // other files are untouched
    expect(corrected.api('grace', 'quoteManagement')!.errata).toEqual([]);
  });

  it('an erratum the file no longer matches stops the load, naming the erratum and where it is written', () => {
    const stale: SpecErratum = {
      id: 'stale-one',
      releases: ['grace'],
      api: 'troubleTicket',
      schema: 'TroubleTicket_Find',
      notRequired: ['status', 'note'],
      why: 'x'.repeat(20),
      source: 'mappings/spec-errata.yaml:9',
    };
    expect(() => createSpecCatalog({ sdkDir, errata: [stale] }).api('grace', 'troubleTicket')).toThrow(
      /spec erratum stale-one \(mappings\/spec-errata.yaml:9\): TroubleTicket_Find in .*troubleTicketManagement.api.yaml no longer requires note; drop or fix the erratum/,
    );
    const gone: SpecErratum = { ...stale, schema: 'TroubleTicket_Gone', notRequired: ['status'] };
    expect(() => createSpecCatalog({ sdkDir, errata: [gone] }).api('grace', 'troubleTicket')).toThrow(/has no schema TroubleTicket_Gone/);
  });

  it('the work order list: published as one WorkOrder_Find object, an array of them with the arrayOf erratum', () => {
    const plain = createSpecCatalog({ sdkDir });
    const corrected = createSpecCatalog({ sdkDir, errata: SPEC_ERRATA });
    const item = {
      id: 'AA-2026-000001',
      appointmentRequired: true,
      state: 'open',
      place: [],
      relatedEntity: [{ '@referredType': 'ProductOrder', id: 'o-1', role: 'productOrder' }],
    };
    for (const release of ['grace', 'kylie'] as const) {
      const published = plain.api(release, 'workOrderManagement')!.operationById('listWorkOrder')!;
      expect(published.validateResponseBody(200, [item]).map((i) => i.message)).toEqual(['must be object']);
      const fixed = corrected.api(release, 'workOrderManagement')!.operationById('listWorkOrder')!;
      expect(fixed.validateResponseBody(200, [item])).toEqual([]);
      expect(fixed.validateResponseBody(200, [])).toEqual([]);
      // the items keep their own rules: an item without state is still refused
      const { state: _, ...noState } = item;
      expect(fixed.validateResponseBody(200, [noState]).map((i) => i.path)).toEqual(['/0/state']);
      expect(fixed.validateResponseBody(200, item).length).toBeGreaterThan(0);
    }
    const stale: SpecErratum = {
      id: 'stale-array',
      releases: ['grace'],
      api: 'troubleTicket',
      schema: 'TroubleTicket_Find',
      notRequired: [],
      arrayOf: true,
      why: 'x'.repeat(20),
      source: 'e.yaml:1',
    };
    const twice = createSpecCatalog({ sdkDir, errata: [stale, { ...stale, id: 'again' }] });
    expect(() => twice.api('grace', 'troubleTicket')).toThrow(
      /spec erratum again \(e.yaml:1\): TroubleTicket_Find in .* is an array already; drop the erratum/,
    );
  });

  it('the errata file is checked at load, problems named by file:line', () => {
    const file = join(tmp, 'spec-errata.yaml');
    writeFileSync(
      file,
      [
        'errata:',
        '  - id: ok-one',
        '    releases: [grace]',
        '    api: troubleTicket',
        '    schema: TroubleTicket_Find',
        '    notRequired: [externalId]',
        '    why: because the file says so elsewhere',
        '  - id: Bad Id',
        '    releases: [haley]',
        '    api: x',
        '    schema: y',
        '    notRequired: []',
        '    why: short',
      ].join('\n'),
    );
    let err: unknown;
    try {
      loadSpecErrata(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const text = (err as ConfigError).problems.map((p) => `${p.line}: ${p.message}`).join('\n');
    expect(text).toBe(
      [
        '8: must match pattern "^[a-z0-9]+(-[a-z0-9]+)*$"',
        '12: must NOT have fewer than 1 items',
        '13: must NOT have fewer than 20 characters',
      ].join('\n'),
    );
    expect(loadSpecErrata(join(tmp, 'none.yaml'))).toEqual([]);
  });

  it('an erratum for a release the SDK folder does not hold is refused at its line', () => {
    const file = join(tmp, 'spec-errata-release.yaml');
    writeFileSync(
      file,
      [
        'errata:',
        '  - id: ok-one',
        '    releases: [grace, haley]',
        '    api: troubleTicket',
        '    schema: TroubleTicket_Find',
        '    notRequired: [externalId]',
        '    why: because the file says so elsewhere',
      ].join('\n'),
    );
    let err: unknown;
    try {
      loadSpecErrata(file, ['billie', 'grace', 'kylie']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      '3: release haley is not in the SDK folder (it holds: billie, grace, kylie)',
    ]);
    // without the SDK's releases (no SDK folder) the name is only checked for its form
    expect(loadSpecErrata(file).map((e) => e.releases)).toEqual([['grace', 'haley']]);
  });
});
