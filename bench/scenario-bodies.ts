/**
 * Request bodies of the benchmark scenarios, in one place so they are easy to change when a route's
 * contract moves. Each builder returns a fresh object; the load generator serializes it once per scenario.
 */

/** Grace address validation as partner acme-telecom writes it (house number inside streetName), as in the README. */
export function buildAddressValidationBody(): Record<string, unknown> {
  return {
    provideAlternative: true,
    submittedGeographicAddress: {
      '@type': 'FieldedAddress',
      streetName: 'Hauptstrasse 12',
      city: 'Berlin',
      postcode: '10115',
      country: 'Germany',
    },
  };
}

/** A buyer contact as ACME's ordering tool sends it. */
const ACME_CONTACT = {
  role: 'buyerContactInformation',
  name: 'Anna Schmidt',
  emailAddress: 'anna.schmidt@acme-telecom.example',
  number: '+49 30 1234 5678',
  organization: 'ACME Telecom GmbH',
};

/** ISO date-time `days` from now: order dates must stay beyond the legacy BSS's lead times whenever the bench runs. */
function inDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString();
}

/**
 * Grace `POST /quoteManagement/v8/quote` (Quote_Create), instant and firm, so the whole pricing path runs
 * synchronously: a 1 Gbit/s Access E-Line with its UNI at a Berlin address (on-net in the simulator's seed),
 * products in the demo catalogue's schemas (mappings/products/schemas), about 2 KB serialized.
 */
export function buildQuoteCreateBody(): Record<string, unknown> {
  const term = {
    name: '36 months',
    duration: { amount: 36, units: 'calendarMonths' },
    endOfTermAction: 'roll',
    rollInterval: { amount: 1, units: 'calendarMonths' },
  };
  const place = [{ '@type': 'GeographicAddressRef', role: 'INSTALL_LOCATION', id: 'NC-DE-000123' }];
  return {
    externalId: 'ACME-Q-2026-000417',
    projectId: 'ACME-PRJ-BERLIN-DC',
    description: 'Access E-Line Berlin Hauptstrasse 12 to the ACME ENNI in Frankfurt, 1 Gbit/s, 36 months, with UNI',
    buyerRequestedQuoteLevel: 'firm',
    instantSyncQuote: true,
    requestedQuoteCompletionDate: inDays(14),
    relatedContactInformation: [ACME_CONTACT],
    quoteItem: [
      {
        id: 'eline-1',
        action: 'add',
        requestedQuoteItemTerm: term,
        requestedQuoteItemInstallationInterval: { amount: 30, units: 'businessDays' },
        product: {
          productConfiguration: {
            '@type': 'urn:mef:lso:spec:sonata:access-eline-ovc:v5.0.0:all',
            bandwidthMbps: 1000,
            classOfService: 'gold',
            uniEp: {
              identifier: 'ACME-BER-UNI-0001',
              ceVlanMap: { mapType: 'VLAN_LIST', ceVlanIds: [100, 101, 102, 200] },
            },
            enniEp: {
              identifier: 'ACME-FRA-ENNI-01',
              sVlanId: 2101,
              ingressBandwidthProfile: { cir: 1000, cbs: 1_000_000, colorMode: 'COLOR_BLIND' },
            },
          },
          place,
        },
        relatedContactInformation: [
          { ...ACME_CONTACT, role: 'technicalContact', name: 'Jonas Weber', emailAddress: 'noc@acme-telecom.example' },
        ],
      },
      {
        id: 'uni-1',
        action: 'add',
        requestedQuoteItemTerm: term,
        product: {
          productConfiguration: {
            '@type': 'urn:mef:lso:spec:sonata:carrier-ethernet-operator-uni:v5.0.0:all',
            identifier: 'ACME-BER-UNI-0001',
            physicalLayer: '1000BASE-LX',
            connectorType: 'LC',
            maxServiceFrameSize: 9216,
            linkAggregation: 'NONE',
          },
          place,
        },
      },
    ],
  };
}

/**
 * Grace `POST /productOrderingManagement/v10/productOrder` (ProductOrder_Create): a 100 Mbit/s Access E-Line at
 * the NetCore FRA1 data centre under ACME's product alias, 36 months, completion in 30 days.
 */
export function buildOrderCreateBody(): Record<string, unknown> {
  return {
    // unique per request (autocannon replaces [<id>]): a repeated order externalId is replayed, not created again
    externalId: 'PO-[<id>]',
    projectId: 'ACME-PRJ-BERLIN-DC',
    relatedContactInformation: [{ ...ACME_CONTACT, role: 'productOrderContact' }],
    productOrderItem: [
      {
        id: 'item-1',
        action: 'add',
        requestedCompletionDate: inDays(30),
        product: {
          productConfiguration: { '@type': 'ACCESS_E_LINE', bandwidthMbps: 100, classOfService: 'gold' },
          place: [{ '@type': 'GeographicSiteRef', role: 'INSTALL_LOCATION', id: 'ST-100001' }],
        },
        requestedItemTerm: {
          name: '36 months',
          duration: { amount: 36, units: 'calendarMonths' },
          endOfTermAction: 'autoRenew',
        },
      },
    ],
  };
}

/** One fielded address of the pathological body: short, but with a country code, so the dialect mapping converts each. */
const PATHOLOGICAL_ENTRY = '{"countryCode":"DEU"}';

/**
 * Kylie address validation as partner globex-networks, with as many `fieldedAddressRepresentation` entries as fit
 * under `maxBytes` (the gateway's body limit): Globex's dialect mapping converts the country of every entry, so
 * this is the largest mapping input a partner can send. Returns the serialized body and the entry count.
 */
export function buildPathologicalValidationBody(maxBytes: number): { body: string; entries: number; bytes: number } {
  const head =
    '{"instantSyncValidation":true,"submittedGeographicAddress":{"@type":"GeographicAddress_Query","fieldedAddressRepresentation":[';
  const tail = ']}}';
  const margin = 64; // stays under the limit whatever the limit counts exactly
  const entries = Math.floor((maxBytes - margin - head.length - tail.length + 1) / (PATHOLOGICAL_ENTRY.length + 1));
  const body = head + new Array<string>(entries).fill(PATHOLOGICAL_ENTRY).join(',') + tail;
  return { body, entries, bytes: Buffer.byteLength(body) };
}
