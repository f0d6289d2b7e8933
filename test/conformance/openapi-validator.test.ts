import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createSpecCatalog, type SpecIssue, type SpecOperation } from '../../src/conformance/openapi-validator.js';
import { sdkDir } from './sdk-dir.js';

const catalog = createSpecCatalog({ sdkDir });

function operation(release: 'billie' | 'grace' | 'kylie', apiName: string, method: string, path: string): SpecOperation {
  const op = catalog.api(release, apiName)?.operation(method, path);
  if (!op) throw new Error(`test setup: no ${method} ${path} in ${release} ${apiName}`);
  return op;
}

const paths = (issues: SpecIssue[]): string[] => issues.map((issue) => issue.path);
const clone = <T>(value: T): T => structuredClone(value);

describe('catalog', () => {
  it('names each API file by its server base path and major version', () => {
    expect(catalog.apis('grace')).toEqual(
      expect.arrayContaining([
        'geographicAddressManagement',
        'quoteManagement',
        'productOrderingManagement',
        'productOrderingNotification',
      ]),
    );
    const order = catalog.api('grace', 'productOrderingManagement');
    expect(order?.major).toBe('v10');
    expect(order?.file).toMatch(/grace[\\/]productApi[\\/]order[\\/]productOrderManagement\.api\.yaml$/);
    expect(catalog.api('kylie', 'productOrderingManagement')?.major).toBe('v11');
    expect(catalog.api('billie', 'productOrderNotification')?.major).toBe('v7');
    expect(catalog.api('kylie', 'geographicAddressNotification')?.major).toBe('v8');
    expect(catalog.api('grace', 'geographicAddressNotification')).toBeUndefined();
  });

  it('keeps both Billie trouble ticket files reachable although they declare the same server', () => {
    expect(catalog.api('billie', 'troubleTicket')?.file).toMatch(/troubleTicketManagement\.api\.yaml$/);
    const notifications = catalog.api('billie', 'troubleTicketNotification');
    expect(notifications?.file).toMatch(/troubleTicketNotification\.api\.yaml$/);
    expect(notifications?.major).toBe('v1');
    expect(notifications?.operation('POST', '/listener/troubleTicketStatusChangeEvent')).toBeDefined();
  });

  it('finds operations by method + spec path and by operationId', () => {
    const api = catalog.api('grace', 'geographicAddressManagement');
    const byRoute = api?.operation('get', '/geographicAddress/{id}');
    expect(byRoute?.operationId).toBe('retrieveGeographicAddress');
    expect(byRoute?.method).toBe('GET');
    expect(api?.operationById('retrieveGeographicAddress')).toBe(byRoute);
    expect(byRoute?.responseStatuses).toEqual(['200', '400', '401', '403', '404', '500']);
    expect(api?.operation('GET', '/geographicAddress/42')).toBeUndefined();
  });

  it('returns the cached API and compiles each validator only once', () => {
    expect(catalog.api('grace', 'quoteManagement')).toBe(catalog.api('grace', 'quoteManagement'));
    const fresh = createSpecCatalog({ sdkDir });
    const op = fresh.api('grace', 'geographicAddressManagement')?.operation('GET', '/geographicAddress/{id}');
    const compile = vi.spyOn(Ajv.prototype, 'compile');
    try {
      // a valid body compiles the fail-fast validator, the first invalid one the full report's
      op?.validateResponseBody(404, { code: 'notFound', reason: 'No such address' });
      op?.validateResponseBody(404, { code: 'bogus' });
      const afterFirst = compile.mock.calls.length;
      expect(afterFirst).toBeGreaterThan(0);
      op?.validateResponseBody(404, { code: 'notFound', reason: 'Still no such address' });
      op?.validateResponseBody(404, { code: 'bogus' });
      expect(compile.mock.calls.length).toBe(afterFirst);
    } finally {
      compile.mockRestore();
    }
  });

  it('takes the releases the SDK folder holds, refuses one without any and names them for an unknown release', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sonata-sdk-'));
    try {
      expect(() => createSpecCatalog({ sdkDir: dir })).toThrow(/Sonata SDK folder .* holds no <release>\/productApi\/ folder/);
      expect(() => createSpecCatalog({ sdkDir: join(dir, 'nope') })).toThrow(/Sonata SDK folder .*nope holds no/);
      mkdirSync(join(dir, 'grace', 'productApi'), { recursive: true });
      mkdirSync(join(dir, 'notes'), { recursive: true });
      const catalog = createSpecCatalog({ sdkDir: dir });
      expect(catalog.releases()).toEqual(['grace']);
      expect(catalog.apis('grace')).toEqual([]);
      expect(() => catalog.apis('kylie')).toThrow(/unknown Sonata release "kylie" \(the SDK folder holds: grace\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('throws for an unknown API or schema name in validateSchema', () => {
    expect(() => catalog.validateSchema('grace', 'noSuchApi', 'Error400', {})).toThrow(/no API noSuchApi/);
    expect(() => catalog.validateSchema('grace', 'quoteManagement', 'NoSuchSchema', {})).toThrow(
      /no schema #\/components\/schemas\/NoSuchSchema/,
    );
  });
});

describe('Grace address validation (POST /geographicAddressValidation)', () => {
  const validate = operation('grace', 'geographicAddressManagement', 'POST', '/geographicAddressValidation');

  const submitted = {
    '@type': 'FieldedAddress',
    streetNr: '1200',
    streetName: 'Market',
    streetType: 'street',
    city: 'San Francisco',
    stateOrProvince: 'CA',
    postcode: '94102',
    country: 'USA',
  };
  const bestMatch = {
    ...submitted,
    id: 'GA-000184',
    href: 'https://seller.example/mefApi/sonata/geographicAddressManagement/v7/geographicAddress/GA-000184',
    allowsNewSite: true,
    hasPublicSite: false,
    country: 'US',
    geographicSubAddress: { buildingName: 'Market Plaza', subUnit: [{ subUnitType: 'SUITE', subUnitNumber: '400' }] },
  };
  const response = {
    provideAlternative: true,
    validationResult: 'success',
    submittedGeographicAddress: submitted,
    bestMatchGeographicAddress: bestMatch,
    alternateGeographicAddress: [
      {
        '@type': 'FormattedAddress',
        id: 'GA-000185',
        addrLine1: '1200 Market St, Suite 410',
        city: 'San Francisco',
        country: 'US',
      },
      { '@type': 'MEFGeographicPoint', id: 'GA-000186', spatialRef: 'WGS84', x: '37.7793', y: '-122.4193' },
    ],
  };

  it('accepts a valid 200 response', () => {
    expect(validate.validateResponseBody(200, response)).toEqual([]);
  });

  it('dispatches on @type: a FieldedAddress best match without streetName fails at that property', () => {
    const body = clone(response);
    delete (body.bestMatchGeographicAddress as Partial<typeof bestMatch>).streetName;
    const issues = validate.validateResponseBody(200, body);
    expect(issues).toEqual([
      {
        path: '/bestMatchGeographicAddress/streetName',
        message: "must have required property 'streetName'",
        keyword: 'required',
      },
    ]);
  });

  it('checks each subtype by its own rules, inside arrays too', () => {
    const body = clone(response);
    body.alternateGeographicAddress[0] = {
      '@type': 'FormattedAddress',
      id: 'GA-000185',
      city: 'San Francisco',
      country: 'US',
    } as never;
    body.alternateGeographicAddress[1] = {
      '@type': 'GeographicAddressLabel',
      id: 'GA-000187',
      externalReferenceId: 'SNFCCA01',
    } as never;
    expect(paths(validate.validateResponseBody(200, body)).sort()).toEqual([
      '/alternateGeographicAddress/0/addrLine1',
      '/alternateGeographicAddress/1/externalReferenceType',
    ]);
  });

  it('reports an unknown @type at the discriminator, unless it is an extension declared with @schemaLocation', () => {
    const typo = clone(response);
    typo.bestMatchGeographicAddress['@type'] = 'FieldAddress';
    const issues = validate.validateResponseBody(200, typo);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('/bestMatchGeographicAddress/@type');
    expect(issues[0]?.message).toMatch(/"FieldAddress" is not a known type .*FieldedAddress/);

    const extension = clone(response);
    extension.bestMatchGeographicAddress = {
      '@type': 'What3WordsAddress',
      '@schemaLocation': 'https://buyer.example/schemas/w3w.json',
      words: 'index.home.raft',
    } as never;
    expect(validate.validateResponseBody(200, extension)).toEqual([]);
  });

  it('validates the request body and reports a missing discriminator', () => {
    expect(validate.validateRequestBody({ provideAlternative: true, submittedGeographicAddress: submitted })).toEqual([]);
    const issues = validate.validateRequestBody({
      provideAlternative: true,
      submittedGeographicAddress: { streetName: 'Market', city: 'San Francisco', country: 'US' },
    });
    expect(paths(issues)).toEqual(['/submittedGeographicAddress/@type']);
    expect(validate.validateRequestBody(undefined)).toEqual([{ path: '', message: 'request body is required', keyword: 'body' }]);
  });

  it('validates a 422 answer as an array of Error422', () => {
    const errors = [
      {
        code: 'missingProperty',
        reason: 'streetName is required for a FieldedAddress',
        propertyPath: '/submittedGeographicAddress/streetName',
      },
      {
        code: 'invalidValue',
        reason: 'Unknown country',
        message: 'Use an ISO 3166 country name',
        propertyPath: '/submittedGeographicAddress/country',
        referenceError: 'https://seller.example/docs/errors#invalidValue',
      },
    ];
    expect(validate.validateResponseBody(422, errors)).toEqual([]);
    const bad = [errors[0], { code: 'notAnErrorCode', propertyPath: '/x' }];
    expect(paths(validate.validateResponseBody(422, bad)).sort()).toEqual(['/1/code', '/1/reason']);
    expect(paths(validate.validateResponseBody(422, errors[0]))).toEqual(['']);
  });

  it('reports an undeclared status as one issue', () => {
    const issues = validate.validateResponseBody(404, { code: 'notFound', reason: 'x' });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: '', keyword: 'status' });
    expect(issues[0]?.message).toMatch(/status 404 is not declared .*200, 400, 401, 403, 422, 500/);
  });

  it('throws when asked to validate a request body of an operation without one', () => {
    expect(() => operation('grace', 'geographicAddressManagement', 'GET', '/geographicAddress/{id}').validateRequestBody({})).toThrow(
      /retrieveGeographicAddress .* has no request body/,
    );
  });
});

describe('Kylie address validation (POST /geographicAddressValidation)', () => {
  const validate = operation('kylie', 'geographicAddressManagement', 'POST', '/geographicAddressValidation');
  const address = {
    '@type': 'GeographicAddress',
    id: 'GA-000184',
    allowsNewSite: 'true',
    hasPublicSite: 'unknown',
    fieldedAddressRepresentation: [
      {
        streetNr: '1200',
        streetName: 'Market',
        streetType: 'street',
        city: 'San Francisco',
        stateOrProvince: 'CA',
        postcode: '94102',
        countryCode: 'US',
      },
    ],
    geographicPointRepresentation: [{ spatialRef: 'WGS84', latitude: '37.7793', longitude: '-122.4193' }],
  };
  const response = {
    instantSyncValidation: true,
    submittedGeographicAddress: {
      '@type': 'GeographicAddress_Query',
      fieldedAddressRepresentation: [{ streetNr: '1200', streetName: 'Market', city: 'San Francisco', countryCode: 'US' }],
    },
    id: 'GAV-5521',
    state: 'ready',
    bestMatchGeographicAddress: address,
    alternateGeographicAddress: [],
  };

  it('accepts a valid immediate (200) and deferred (201) answer', () => {
    expect(validate.validateResponseBody(200, response)).toEqual([]);
    expect(validate.validateResponseBody(201, { ...response, state: 'acknowledged', bestMatchGeographicAddress: undefined })).toEqual([]);
  });

  it('reports a missing state', () => {
    const { state: _state, ...body } = response;
    expect(validate.validateResponseBody(200, body)).toEqual([
      { path: '/state', message: "must have required property 'state'", keyword: 'required' },
    ]);
  });

  it('rejects hasPublicSite as a boolean: Kylie wants "true" | "false" | "unknown"', () => {
    const issues = validate.validateResponseBody(200, {
      ...response,
      bestMatchGeographicAddress: { ...address, hasPublicSite: true },
    });
    expect(issues.length).toBeGreaterThan(0);
    expect(new Set(paths(issues))).toEqual(new Set(['/bestMatchGeographicAddress/hasPublicSite']));
    expect(issues.map((i) => i.message).join(' ')).toMatch(/"true", "false", "unknown"/);
  });

  it('rejects a Grace-style address where Kylie expects its own model', () => {
    const issues = validate.validateRequestBody({
      instantSyncValidation: true,
      submittedGeographicAddress: {
        '@type': 'FieldedAddress',
        streetName: 'Market',
        city: 'San Francisco',
        country: 'US',
      },
    });
    expect(paths(issues)).toContain('/submittedGeographicAddress/@type');
  });
});

describe('Kylie oneOf + constant @type (PlaceRefOrQuery)', () => {
  const place = (value: unknown): SpecIssue[] =>
    catalog.validateSchema('kylie', 'productOrderingManagement', 'RelatedPlaceRefOrQueryWithSubUnit', {
      role: 'INSTALL_LOCATION',
      place: value,
    });

  it('accepts each alternative', () => {
    expect(place({ '@type': 'GeographicSiteRef', id: 'GS-77' })).toEqual([]);
    expect(place({ '@type': 'GeographicAddressRef', id: 'GA-000184' })).toEqual([]);
    expect(
      place({
        '@type': 'GeographicAddress_Query',
        labelRepresentation: [{ label: 'SNFCCA01', administrativeAuthority: 'CLLI' }],
      }),
    ).toEqual([]);
  });

  it('checks the selected alternative only, and reports unknown or missing @type at the discriminator', () => {
    expect(place({ '@type': 'GeographicSiteRef' })).toEqual([
      { path: '/place/id', message: "must have required property 'id'", keyword: 'required' },
    ]);
    expect(paths(place({ '@type': 'FieldedAddress', id: 'GA-1' }))).toEqual(['/place/@type']);
    expect(paths(place({ id: 'GA-1' }))).toEqual(['/place/@type']);
    // minProperties 2: a query must carry at least one representation
    expect(paths(place({ '@type': 'GeographicAddress_Query' }))).toEqual(['/place']);
  });

  it('dispatches a oneOf base whose subtypes extend it with allOf (CIM incidents) without looping', () => {
    const incident = {
      '@type': 'CimMaintenanceIncident',
      id: 'INC-1',
      creationDate: '2025-06-01T08:00:00Z',
      situationStartDate: '2025-06-10T01:00:00Z',
      description: 'Planned fibre splice',
    };
    const issues = catalog.validateSchema('kylie', 'cimIncident', 'CimIncident', incident);
    expect(issues.length).toBeGreaterThan(0);
    expect(paths(issues)).toContain('/severity');
    expect(paths(catalog.validateSchema('kylie', 'cimIncident', 'CimIncident', { ...incident, '@type': 'CimIncident' }))).toContain(
      '/@type',
    );
  });
});

describe('Grace quote create (POST /quote)', () => {
  const create = operation('grace', 'quoteManagement', 'POST', '/quote');
  const quote = {
    externalId: 'BUY-Q-2024-0042',
    instantSyncQuote: false,
    buyerRequestedQuoteLevel: 'firm',
    requestedQuoteCompletionDate: '2024-05-01T12:00:00Z',
    relatedContactInformation: [
      {
        role: 'buyerContactInformation',
        name: 'Ana Ruiz',
        emailAddress: 'ana.ruiz@buyer.example',
        number: '+1 415 555 0100',
      },
    ],
    quoteItem: [
      {
        id: '1',
        action: 'add',
        requestedQuoteItemTerm: {
          name: '36 months',
          duration: { amount: 36, units: 'calendarMonths' },
          endOfTermAction: 'roll',
        },
        product: {
          productOffering: { id: 'ACCESS_E_LINE' },
          productConfiguration: { '@type': 'urn:mef:lso:spec:sonata:access-eline-ovc:v5.0.0:all' },
          place: [
            {
              '@type': 'FieldedAddress',
              role: 'INSTALL_LOCATION',
              streetNr: '1200',
              streetName: 'Market',
              city: 'San Francisco',
              country: 'US',
            },
          ],
        },
      },
    ],
  };

  it('accepts a valid request, with any product configuration @type (payloads are validated elsewhere)', () => {
    expect(create.validateRequestBody(quote)).toEqual([]);
  });

  it('reports a missing buyerRequestedQuoteLevel', () => {
    const { buyerRequestedQuoteLevel: _level, ...body } = quote;
    expect(create.validateRequestBody(body)).toEqual([
      {
        path: '/buyerRequestedQuoteLevel',
        message: "must have required property 'buyerRequestedQuoteLevel'",
        keyword: 'required',
      },
    ]);
  });

  it('reports every problem at once, with pointers into nested items', () => {
    const body = clone(quote) as Record<string, unknown> & typeof quote;
    body.buyerRequestedQuoteLevel = 'binding';
    body.requestedQuoteCompletionDate = '2024-05-01 noon';
    delete (body.quoteItem[0]?.product.place[0] as Partial<(typeof quote.quoteItem)[0]['product']['place'][0]>).city;
    expect(paths(create.validateRequestBody(body)).sort()).toEqual([
      '/buyerRequestedQuoteLevel',
      '/quoteItem/0/product/place/0/city',
      '/requestedQuoteCompletionDate',
    ]);
  });
});

describe('notification events', () => {
  const event = {
    eventId: 'evt-7781',
    eventTime: '2025-03-04T09:15:00.000Z',
    eventType: 'productOrderStateChangeEvent',
    event: {
      id: 'PO-1001',
      href: 'https://seller.example/mefApi/sonata/productOrderingManagement/v11/productOrder/PO-1001',
      state: 'inProgress',
    },
  };

  it('validates a Kylie order state change event by schema name', () => {
    expect(catalog.validateSchema('kylie', 'productOrderingNotification', 'ProductOrderStateChangeEvent', event)).toEqual([]);
    const bad = {
      ...event,
      eventType: 'productOrderItemStateChangeEvent',
      event: { id: 'PO-1001', state: 'in_progress' },
    };
    expect(paths(catalog.validateSchema('kylie', 'productOrderingNotification', 'ProductOrderStateChangeEvent', bad)).sort()).toEqual([
      '/event/state',
      '/eventType',
    ]);
  });

  it('validates the same event as the listener request body, and the listener 204 as bodiless', () => {
    const listener = operation('kylie', 'productOrderingNotification', 'POST', '/listener/productOrderStateChangeEvent');
    expect(listener.validateRequestBody(event)).toEqual([]);
    expect(paths(listener.validateRequestBody({ ...event, eventTime: '04/03/2025 09:15' }))).toEqual(['/eventTime']);
    expect(listener.validateResponseBody(204, undefined)).toEqual([]);
    expect(listener.validateResponseBody(204, { ok: true })).toMatchObject([{ keyword: 'body' }]);
  });

  it('reads request bodies declared under the */* media type (Grace order notifications)', () => {
    const listener = operation('grace', 'productOrderingNotification', 'POST', '/listener/cancelProductOrderStateChangeEvent');
    const body = {
      eventId: 'evt-1',
      eventTime: '2024-02-01T10:00:00+01:00',
      eventType: 'cancelProductOrderStateChangeEvent',
      event: { id: 'CPO-9', buyerId: 'BUYER-1' },
    };
    expect(listener.validateRequestBody(body)).toEqual([]);
    expect(paths(listener.validateRequestBody({ ...body, event: { buyerId: 'BUYER-1' } }))).toEqual(['/event/id']);
  });
});

describe('formats', () => {
  it('accepts relative hrefs where MEF declares format uri, but not text that is no URI reference', () => {
    expect(
      catalog.validateSchema('grace', 'productCatalog', 'ProductOfferingRef', {
        id: 'PO-1',
        href: '/productOffering/PO-1',
      }),
    ).toEqual([]);
    expect(
      catalog.validateSchema('grace', 'productCatalog', 'ProductOfferingRef', {
        id: 'PO-1',
        href: 'https://seller.example/productOffering/PO-1',
      }),
    ).toEqual([]);
    expect(paths(catalog.validateSchema('grace', 'productCatalog', 'ProductOfferingRef', { id: 'PO-1', href: 'not a uri' }))).toEqual([
      '/href',
    ]);
  });

  it('requires RFC 3339 date-times with a time zone', () => {
    const at = (eventTime: string): SpecIssue[] =>
      catalog.validateSchema('grace', 'productOrderingNotification', 'Event', { eventId: 'e', eventTime });
    expect(at('2024-02-01T10:00:00Z')).toEqual([]);
    expect(at('2024-02-01T10:00:00.123-05:00')).toEqual([]);
    expect(paths(at('2024-02-01T10:00:00'))).toEqual(['/eventTime']);
    expect(paths(at('2024-02-30T10:00:00Z'))).toEqual(['/eventTime']);
  });
});

describe('query parameters', () => {
  const list = operation('grace', 'productOrderingManagement', 'GET', '/productOrder');

  it('accepts declared parameters given as strings, coercing integers', () => {
    expect(
      list.validateQuery({
        state: 'inProgress',
        'orderDate.gt': '2024-01-01T00:00:00Z',
        offset: '0',
        limit: '50',
        buyerId: 'B-1',
      }),
    ).toEqual([]);
    expect(list.validateQuery({ someVendorExtension: 'x' })).toEqual([]);
  });

  it('reports wrong enum values, formats, integers and repeated single values', () => {
    const issues = list.validateQuery({
      state: 'running',
      'orderDate.gt': 'yesterday',
      limit: 'ten',
      externalId: ['a', 'b'],
    });
    expect(paths(issues).sort()).toEqual(['/externalId', '/limit', '/orderDate.gt', '/state']);
  });
});

describe('OpenAPI constructs the Sonata files rarely use (synthetic SDK)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sonata-sdk-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  for (const release of ['billie', 'grace', 'kylie']) mkdirSync(join(dir, release, 'productApi'), { recursive: true });
  writeFileSync(
    join(dir, 'grace', 'productApi', 'widget.api.yaml'),
    `openapi: 3.0.1
info: { title: Widget, version: 1.0.0 }
servers:
  - url: 'https://{serverBase}/mefApi/sonata/widgetManagement/v3/'
paths:
  /widget:
    parameters:
      - { name: colour, in: query, required: true, schema: { type: string } }
    post:
      operationId: createWidget
      parameters:
        - { name: tags, in: query, schema: { type: array, items: { type: string } } }
        - { name: strict, in: query, schema: { type: boolean } }
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: '#/components/schemas/Widget' }
      responses:
        '2XX':
          content:
            application/json;charset=utf-8:
              schema: { $ref: '#/components/schemas/Widget' }
components:
  schemas:
    Widget:
      type: object
      required: [name, shape]
      properties:
        name: { type: string, nullable: true }
        size: { type: string, enum: [small, large], nullable: true }
        shape: { $ref: '#/components/schemas/Shape' }
    Shape:
      type: object
      required: ['@type']
      properties: { '@type': { type: string } }
      discriminator:
        propertyName: '@type'
        mapping:
          round: '#/components/schemas/Circle'
          Shape: '#/components/schemas/Shape'
    Circle:
      allOf:
        - $ref: '#/components/schemas/Shape'
        - { type: object, required: [radius], properties: { radius: { type: number } } }
    Square:
      allOf:
        - $ref: '#/components/schemas/Shape'
        - { type: object, required: [side], properties: { side: { type: number } } }
`,
  );
  const synthetic = createSpecCatalog({ sdkDir: dir });
  const create = (): SpecOperation => {
    const op = synthetic.api('grace', 'widgetManagement')?.operationById('createWidget');
    if (!op) throw new Error('test setup: createWidget missing');
    return op;
  };

  it('allows null where nullable: true, also with an enum', () => {
    expect(create().validateRequestBody({ name: null, size: null, shape: { '@type': 'round', radius: 2 } })).toEqual([]);
    expect(paths(create().validateRequestBody({ name: 'w', size: 'medium', shape: { '@type': 'round', radius: 2 } }))).toEqual(['/size']);
  });

  it('uses explicit mappings, implicit subtype names and a mapping to the base itself', () => {
    expect(paths(create().validateRequestBody({ name: 'w', shape: { '@type': 'round' } }))).toEqual(['/shape/radius']);
    expect(paths(create().validateRequestBody({ name: 'w', shape: { '@type': 'Square' } }))).toEqual(['/shape/side']);
    expect(create().validateRequestBody({ name: 'w', shape: { '@type': 'Shape' } })).toEqual([]);
    // no @schemaLocation property on Shape: the hierarchy is closed
    expect(
      paths(
        create().validateRequestBody({
          name: 'w',
          shape: { '@type': 'Triangle', '@schemaLocation': 'https://x.example/t.json' },
        }),
      ),
    ).toEqual(['/shape/@type']);
  });

  it('matches status ranges and applies path-level query parameters', () => {
    expect(create().validateResponseBody(201, { name: 'w', shape: { '@type': 'Shape' } })).toEqual([]);
    expect(create().validateResponseBody(404, {})).toMatchObject([{ keyword: 'status' }]);
    expect(create().validateQuery({ colour: 'red', tags: 'a,b', strict: 'true' })).toEqual([]);
    expect(paths(create().validateQuery({ strict: 'yes' })).sort()).toEqual(['/colour', '/strict']);
  });
});
