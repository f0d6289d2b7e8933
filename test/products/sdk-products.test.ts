import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError } from '../../src/config/yaml-source.js';
import { loadProductSchemas } from '../../src/sonata/products/product-schemas.js';
import { BILLIE_CATALOG, BILLIE_SCHEMAS, GRACE_CATALOG, GRACE_SCHEMAS, removeTrees, thrownBy, writeTree } from './support.js';

const ELINE = 'urn:mef:lso:spec:sonata:access-eline-ovc:v5.0.0:all';
const AT = '/productOrderItem/1/product/productConfiguration';

const catalogTypes = (file: string): string[] => Object.keys((parse(readFileSync(file, 'utf8')) as { products: object }).products);

/** A realistic Grace Access E-Line OVC: C-tagged UNI end point, S-tagged ENNI end point, one class of service. */
function accessEline(): Record<string, any> {
  const bwp = (mbps: number) => ({
    cir: { irValue: mbps, irUnits: 'MBPS' },
    cbs: { dataSizeValue: 12, dataSizeUnits: 'KBYTES' },
    eir: { irValue: 0, irUnits: 'MBPS' },
    ebs: { dataSizeValue: 0, dataSizeUnits: 'BYTES' },
    couplingFlag: false,
    colorMode: 'COLOR_AWARE',
    envelopeRank: 1,
  });
  return {
    '@type': ELINE,
    maximumFrameSize: 1600,
    ceVlanIdPreservation: 'PRESERVE',
    cTagPcpPreservation: 'ENABLED',
    cTagDeiPreservation: 'ENABLED',
    listOfClassOfServiceNames: ['GOLD'],
    ovcL2cpAddressSet: 'CTA',
    availableMegLevel: '3',
    frameDisposition: {
      unicast: 'DELIVER_UNCONDITIONALLY',
      multicast: 'DELIVER_CONDITIONALLY',
      broadcast: 'DELIVER_UNCONDITIONALLY',
    },
    uniEp: {
      identifier: 'UNI-EP-LON-0042',
      ovcEndPointMap: { mapType: 'FORM_U', ovcEndPointMapFormU: [100] },
      ingressClassOfServiceMap: { mapType: 'ENDPOINT', map_M: 'GOLD' },
      colorMap: { mapType: 'DEI' },
      ingressBandwidthProfilePerClassOfServiceName: [{ classOfServiceName: 'GOLD', bwpFlow: bwp(100) }],
      maintenanceEndPointList: [{ level: 2, mepDirection: 'UP' }],
    },
    enniEp: {
      identifier: 'ENNI-EP-LON-0001',
      ovcEndPointMap: { mapType: 'FORM_E', ovcEndPointMapFormE: [1200] },
      ingressClassOfServiceMap: { mapType: 'ENDPOINT', map_M: 'GOLD' },
      colorMap: { mapType: 'DEI' },
      ingressBandwidthProfilePerClassOfServiceName: [{ classOfServiceName: 'GOLD', bwpFlow: bwp(100) }],
    },
  };
}

afterAll(removeTrees);

describe('Grace SDK product catalogue', () => {
  const grace = loadProductSchemas({ catalogFile: GRACE_CATALOG, schemaDir: GRACE_SCHEMAS });

  it('loads and compiles every listed schema', () => {
    const listed = catalogTypes(GRACE_CATALOG);
    expect(listed.length).toBeGreaterThanOrEqual(10);
    expect(grace.types()).toEqual(listed);
    // every compiled validator runs: an empty configuration of each product gets an answer, not a throw
    for (const type of listed) expect(Array.isArray(grace.validate({ '@type': type }, AT))).toBe(true);
  });

  it('accepts a realistic Access E-Line OVC configuration', () => {
    expect(grace.validate(accessEline(), AT)).toEqual([]);
  });

  it('rejects a broken Access E-Line OVC with pointers into the configuration', () => {
    const config = accessEline();
    delete config.enniEp;
    config.ceVlanIdPreservation = 'KEEP';
    config.uniEp.ingressBandwidthProfilePerClassOfServiceName[0].bwpFlow.cir.irUnits = 'MBIT';
    config.uniEp.ingressBandwidthProfilePerClassOfServiceName[0].bwpFlow.envelopeRank = 0;
    expect(grace.validate(config, AT)).toEqual(
      expect.arrayContaining([
        { code: 'missingProperty', propertyPath: `${AT}/enniEp`, reason: 'enniEp is required' },
        {
          code: 'invalidValue',
          propertyPath: `${AT}/ceVlanIdPreservation`,
          reason: 'ceVlanIdPreservation must be one of PRESERVE, STRIP, RETAIN',
        },
        expect.objectContaining({
          code: 'invalidValue',
          propertyPath: `${AT}/uniEp/ingressBandwidthProfilePerClassOfServiceName/0/bwpFlow/cir/irUnits`,
        }),
        {
          code: 'invalidValue',
          propertyPath: `${AT}/uniEp/ingressBandwidthProfilePerClassOfServiceName/0/bwpFlow/envelopeRank`,
          reason: 'envelopeRank must be >= 1',
        },
      ]),
    );
    expect(grace.validate(config, AT)).toHaveLength(4);
  });

  it('explains a wrong end point map type by the map types the schema offers', () => {
    const config = accessEline();
    config.enniEp.ovcEndPointMap = { mapType: 'FORM_X', ovcEndPointMapFormE: [1200] };
    expect(grace.validate(config, AT)).toEqual([
      {
        code: 'invalidValue',
        propertyPath: `${AT}/enniEp/ovcEndPointMap/mapType`,
        reason: 'mapType must be one of FORM_U, FORM_E',
      },
    ]);
    config.enniEp.ovcEndPointMap = { mapType: 'FORM_E', ovcEndPointMapFormE: [0] };
    expect(grace.validate(config, AT)).toEqual([
      {
        code: 'invalidValue',
        propertyPath: `${AT}/enniEp/ovcEndPointMap/ovcEndPointMapFormE/0`,
        reason: 'ovcEndPointMapFormE[0] must be >= 1',
      },
    ]);
  });

  it('asks for the distinguishing field when a value fits several forms', () => {
    const config = accessEline();
    // without mapType, both FORM_U and FORM_E accept it (Grace requires neither field)
    config.uniEp.ovcEndPointMap = { ovcEndPointMapFormU: [100] };
    const issues = grace.validate(config, AT);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: 'invalidValue', propertyPath: `${AT}/uniEp/ovcEndPointMap` });
    expect(issues[0]?.reason).toMatch(/^ovcEndPointMap must match exactly one of its 2 allowed forms, but matches several/);
  });
});

describe('Billie SDK product catalogue', () => {
  it('loads every listed per-function schema despite the upstream ../../common refs', () => {
    const billie = loadProductSchemas({ catalogFile: BILLIE_CATALOG, schemaDir: BILLIE_SCHEMAS });
    const listed = catalogTypes(BILLIE_CATALOG);
    expect(listed.filter((t) => t.endsWith(':order'))).toHaveLength(9);
    expect(billie.types()).toEqual(listed);
    for (const type of listed) expect(Array.isArray(billie.validate({ '@type': type }, AT))).toBe(true);
    // Billie's order schemas require attributes (Grace's do not): the required ones are reported by name
    const issues = billie.validate({ '@type': 'urn:mef:lso:spec:sonata:access-eline:v2.0.0:order' }, AT);
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues)
      expect(issue).toMatchObject({
        code: 'missingProperty',
        propertyPath: expect.stringMatching(new RegExp(`^${AT}/`)),
      });
  });

  it('fails without the rewrite rule, naming each referencing file:line and the broken ref', () => {
    const text = readFileSync(BILLIE_CATALOG, 'utf8').replace(/^refRewrites:\n(?: {2}.*\n)+/m, '');
    expect(text).not.toContain('refRewrites');
    const dir = writeTree({});
    const catalogFile = join(dir, 'billie-no-rewrites.yaml');
    writeFileSync(catalogFile, text);
    const err = thrownBy(() => loadProductSchemas({ catalogFile, schemaDir: BILLIE_SCHEMAS }));
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems).toHaveLength(66);
    for (const p of problems) {
      expect(p.file).toMatch(/carrierEthernet\/(ovc|evc)SuperClasses\/\w+\.yaml$/);
      expect(p.line).toBeGreaterThan(1);
      expect(p.message).toMatch(/^\$ref "\.\.\/\.\.\/common\/\w+\.yaml#\/definitions\/\w+" names .*does not exist$/);
    }
    expect(err.message).toMatch(/ovcSuperClasses\/accessElineOvcCommon\.yaml:\d+:\d+ .*\$ref "\.\.\/\.\.\/common\//);
  });
});
