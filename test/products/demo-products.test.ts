import { describe, expect, it } from 'vitest';
import { loadProductSchemas, type ProductIssue } from '../../src/sonata/products/product-schemas.js';
import { DEMO_CATALOG, DEMO_SCHEMAS } from './support.js';

const ELINE = 'urn:mef:lso:spec:sonata:access-eline-ovc:v5.0.0:all';
const UNI = 'urn:mef:lso:spec:sonata:carrier-ethernet-operator-uni:v5.0.0:all';
const DIA = 'urn:mef:lso:spec:cantata-sonata:basic-internet-access:v1.0.0:all';
const AT = '/quoteItem/0/product/productConfiguration';

const registry = loadProductSchemas({ catalogFile: DEMO_CATALOG, schemaDir: DEMO_SCHEMAS });
const aliases: Record<string, string> = { ACCESS_E_LINE: ELINE, UNI, RETIRED: 'urn:example:retired' };
const alias = (type: string): string | undefined => aliases[type];

function eline(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@type': ELINE,
    bandwidthMbps: 100,
    classOfService: 'gold',
    uniEp: { identifier: 'LON-UNI-0042', ceVlanMap: { mapType: 'VLAN_LIST', ceVlanIds: [10, 20] } },
    enniEp: {
      identifier: 'ENNI-LON-1',
      sVlanId: 300,
      ingressBandwidthProfile: { cir: 100, cbs: 12000, colorMode: 'COLOR_BLIND' },
    },
    ...overrides,
  };
}

const one = (issues: ProductIssue[]): ProductIssue => {
  expect(issues).toHaveLength(1);
  return issues[0] as ProductIssue;
};

describe('demo product catalogue', () => {
  it('knows the three demo products by their canonical @type', () => {
    expect(registry.types()).toEqual([ELINE, UNI, DIA]);
  });

  it('accepts valid configurations of every demo product', () => {
    expect(registry.validate(eline(), AT)).toEqual([]);
    expect(registry.validate({ '@type': ELINE, bandwidthMbps: 10000, uniEp: { ceVlanMap: { mapType: 'ALL_TO_ONE' } } }, AT)).toEqual([]);
    expect(
      registry.validate(
        {
          '@type': UNI,
          physicalLayer: '10GBASE-LR',
          connectorType: 'LC',
          maxServiceFrameSize: 9600,
          linkAggregation: 'ALL_ACTIVE',
          numberOfLinks: 2,
        },
        AT,
      ),
    ).toEqual([]);
    expect(
      registry.validate(
        {
          '@type': DIA,
          bandwidthMbps: 1000,
          ipv4: { prefixLength: 29, routing: 'BGP', customerAsn: 64512 },
          ipv6PrefixLength: 56,
          dnsServers: ['192.0.2.53'],
          serviceStartDate: '2026-03-01',
        },
        AT,
      ),
    ).toEqual([]);
  });

  it('reports a missing required property at its own path', () => {
    const { bandwidthMbps: _dropped, ...config } = eline();
    expect(one(registry.validate(config, AT))).toEqual({
      code: 'missingProperty',
      propertyPath: `${AT}/bandwidthMbps`,
      reason: 'bandwidthMbps is required',
    });
  });

  it('reports a value outside an enum with the allowed values', () => {
    expect(one(registry.validate(eline({ classOfService: 'platinum' }), AT))).toEqual({
      code: 'invalidValue',
      propertyPath: `${AT}/classOfService`,
      reason: 'classOfService must be one of gold, silver, bronze',
    });
    expect(one(registry.validate(eline({ bandwidthMbps: 50 }), AT))).toEqual({
      code: 'invalidValue',
      propertyPath: `${AT}/bandwidthMbps`,
      reason: 'bandwidthMbps must be one of 10, 100, 1000, 10000',
    });
  });

  it('reports an out-of-range value deep in the configuration with a pointer into the request', () => {
    const config = eline({ enniEp: { sVlanId: 300, ingressBandwidthProfile: { cir: 20000 } } });
    expect(one(registry.validate(config, AT))).toEqual({
      code: 'invalidValue',
      propertyPath: `${AT}/enniEp/ingressBandwidthProfile/cir`,
      reason: 'cir must be <= 10000',
    });
    const uni = { '@type': UNI, physicalLayer: '1000BASE-T', maxServiceFrameSize: 1500 };
    expect(one(registry.validate(uni, '/productOrderItem/3/product/productConfiguration'))).toEqual({
      code: 'invalidValue',
      propertyPath: '/productOrderItem/3/product/productConfiguration/maxServiceFrameSize',
      reason: 'maxServiceFrameSize must be >= 1522',
    });
  });

  it('reports a property the schema does not define', () => {
    expect(one(registry.validate(eline({ colour: 'blue' }), AT))).toEqual({
      code: 'unexpectedProperty',
      propertyPath: `${AT}/colour`,
      reason: 'colour is not a property of productConfiguration',
    });
  });

  it('reports wrong types, formats and patterns as invalidFormat', () => {
    expect(registry.validate(eline({ bandwidthMbps: '100' }), AT)).toContainEqual({
      code: 'invalidFormat',
      propertyPath: `${AT}/bandwidthMbps`,
      reason: 'bandwidthMbps must be an integer',
    });
    const dia = {
      '@type': DIA,
      bandwidthMbps: 100,
      ipv4: { prefixLength: 30, routing: 'STATIC' },
      dnsServers: ['192.0.2.1', '10.0.0.256'],
      serviceStartDate: '1 March 2026',
    };
    expect(registry.validate(dia, AT)).toEqual([
      {
        code: 'invalidFormat',
        propertyPath: `${AT}/dnsServers/1`,
        reason: 'dnsServers[1] must be a valid IPv4 address',
      },
      {
        code: 'invalidFormat',
        propertyPath: `${AT}/serviceStartDate`,
        reason: 'serviceStartDate must be a valid date (YYYY-MM-DD)',
      },
    ]);
    const badId = eline({ uniEp: { identifier: 'LON UNI 42' } });
    expect(one(registry.validate(badId, AT))).toMatchObject({
      code: 'invalidFormat',
      propertyPath: `${AT}/uniEp/identifier`,
    });
  });

  it('reports every problem of a configuration, not only the first', () => {
    const config = {
      '@type': ELINE,
      classOfService: 'platinum',
      extra: true,
      enniEp: { ingressBandwidthProfile: { cir: -1 } },
    };
    expect(registry.validate(config, AT).map((i) => [i.code, i.propertyPath])).toEqual(
      expect.arrayContaining([
        ['missingProperty', `${AT}/bandwidthMbps`],
        ['invalidValue', `${AT}/classOfService`],
        ['unexpectedProperty', `${AT}/extra`],
        ['missingProperty', `${AT}/enniEp/sVlanId`],
        ['invalidValue', `${AT}/enniEp/ingressBandwidthProfile/cir`],
      ]),
    );
  });

  it("explains a conditional requirement without exposing the schema's if/then", () => {
    const issues = registry.validate({ '@type': UNI, physicalLayer: '10GBASE-SR', linkAggregation: 'ACTIVE_STANDBY' }, AT);
    expect(issues).toEqual([{ code: 'missingProperty', propertyPath: `${AT}/numberOfLinks`, reason: 'numberOfLinks is required' }]);
    const dia = { '@type': DIA, bandwidthMbps: 100, ipv4: { prefixLength: 29, routing: 'BGP' } };
    expect(registry.validate(dia, AT)).toEqual([
      { code: 'missingProperty', propertyPath: `${AT}/ipv4/customerAsn`, reason: 'customerAsn is required' },
    ]);
  });

  describe('a field with alternative forms (oneOf)', () => {
    const withMap = (ceVlanMap: unknown) => eline({ uniEp: { ceVlanMap } });

    it('names the accepted values of the field that selects the form', () => {
      expect(one(registry.validate(withMap({ mapType: 'SOME_VLANS' }), AT))).toEqual({
        code: 'invalidValue',
        propertyPath: `${AT}/uniEp/ceVlanMap/mapType`,
        reason: 'mapType must be one of ALL_TO_ONE, VLAN_LIST',
      });
    });

    it('reports only the problems of the form the partner chose', () => {
      expect(registry.validate(withMap({ mapType: 'VLAN_LIST', ceVlanIds: [10, 5000] }), AT)).toEqual([
        {
          code: 'invalidValue',
          propertyPath: `${AT}/uniEp/ceVlanMap/ceVlanIds/1`,
          reason: 'ceVlanIds[1] must be <= 4094',
        },
      ]);
      expect(registry.validate(withMap({ mapType: 'VLAN_LIST' }), AT)).toEqual([
        { code: 'missingProperty', propertyPath: `${AT}/uniEp/ceVlanMap/ceVlanIds`, reason: 'ceVlanIds is required' },
      ]);
    });

    it("says which type is expected when the value has none of the forms' types", () => {
      expect(one(registry.validate(withMap('ALL'), AT))).toEqual({
        code: 'invalidFormat',
        propertyPath: `${AT}/uniEp/ceVlanMap`,
        reason: 'ceVlanMap must be an object',
      });
    });
  });

  describe('@type', () => {
    it('resolves a bilaterally agreed alias through the alias function', () => {
      expect(registry.validate(eline({ '@type': 'ACCESS_E_LINE' }), AT, alias)).toEqual([]);
      expect(one(registry.validate(eline({ '@type': 'ACCESS_E_LINE', classOfService: 'iron' }), AT, alias)).propertyPath).toBe(
        `${AT}/classOfService`,
      );
      expect(registry.validate({ '@type': 'UNI', physicalLayer: '1000BASE-LX' }, AT, alias)).toEqual([]);
    });

    it('rejects an alias without the alias function, and an alias of an unknown product', () => {
      expect(one(registry.validate(eline({ '@type': 'ACCESS_E_LINE' }), AT))).toMatchObject({
        code: 'invalidValue',
        propertyPath: `${AT}/@type`,
      });
      const issue = one(registry.validate(eline({ '@type': 'RETIRED' }), AT, alias));
      expect(issue).toMatchObject({ code: 'invalidValue', propertyPath: `${AT}/@type` });
      expect(issue.reason).toContain('urn:example:retired');
    });

    it('rejects an unknown @type, naming the known ones', () => {
      const issue = one(registry.validate({ '@type': 'urn:mef:lso:spec:sonata:transit-eline:v1.0.0:all' }, AT, alias));
      expect(issue.code).toBe('invalidValue');
      expect(issue.propertyPath).toBe(`${AT}/@type`);
      expect(issue.reason).toMatch(
        /^@type "urn:mef:lso:spec:sonata:transit-eline:v1\.0\.0:all" is not a known product specification; known: /,
      );
      expect(issue.reason).toContain(ELINE);
    });

    it('rejects a missing or non-string @type, and a configuration that is not an object', () => {
      expect(registry.validate({ bandwidthMbps: 100 }, AT)).toEqual([
        { code: 'missingProperty', propertyPath: `${AT}/@type`, reason: '@type is required' },
      ]);
      expect(registry.validate({ '@type': 42 }, AT)).toEqual([
        { code: 'invalidFormat', propertyPath: `${AT}/@type`, reason: '@type must be a string' },
      ]);
      expect(registry.validate(null, AT)).toEqual([
        { code: 'invalidFormat', propertyPath: AT, reason: 'productConfiguration must be an object' },
      ]);
      expect(registry.validate([eline()], AT)).toHaveLength(1);
    });
  });

  it('keeps every reason within the 255 characters Sonata allows', () => {
    const long = registry.validate({ '@type': `urn:${'x'.repeat(1000)}` }, AT);
    const many = registry.validate(
      eline({
        uniEp: {
          identifier: 'x'.repeat(300),
          ceVlanMap: { mapType: 'VLAN_LIST', ceVlanIds: Array.from({ length: 70 }, () => 0) },
        },
      }),
      AT,
    );
    expect(many.length).toBeGreaterThan(2);
    for (const issue of [...long, ...many]) expect(issue.reason.length).toBeLessThanOrEqual(255);
  });
});
