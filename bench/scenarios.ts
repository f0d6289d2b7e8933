import { buildAddressValidationBody, buildOrderCreateBody, buildQuoteCreateBody } from './scenario-bodies.js';

/** A demo partner the benchmark authenticates as (client secret taken from the loaded registry). */
export type BenchPartner = 'acme-telecom' | 'globex-networks';

/** One load scenario. Add a scenario by adding an entry to {@link SCENARIOS}. */
export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** `baseline`: the raw keep-alive proxy; `gateway`: the forked gateway */
  readonly target: 'baseline' | 'gateway';
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** the partner whose bearer token is sent (gateway scenarios) */
  readonly partner?: BenchPartner;
  readonly body?: () => unknown;
  /**
   * A route still being built: when its probe answers anything but 2xx the scenario is reported as
   * "not available: <status> <reason>" instead of failing the run.
   */
  readonly optional?: boolean;
}

export const CATALOG_PATH = '/mefApi/sonata/productCatalog/v2/productOffering';
export const GRACE_VALIDATION_PATH = '/mefApi/sonata/geographicAddressManagement/v7/geographicAddressValidation';
export const KYLIE_VALIDATION_PATH = '/mefApi/sonata/geographicAddressManagement/v8/geographicAddressValidation';

/** The baseline comes first: every other scenario is compared with it. */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'baseline-proxy',
    description: 'raw node:http proxy with a keep-alive Agent -> JSON backend',
    target: 'baseline',
    method: 'GET',
    path: CATALOG_PATH,
  },
  {
    name: 'sonata-passthrough',
    description: 'gateway GET productCatalog/v2/productOffering (acme-telecom) -> JSON backend',
    target: 'gateway',
    method: 'GET',
    path: CATALOG_PATH,
    partner: 'acme-telecom',
  },
  {
    name: 'address-validation',
    description: 'gateway POST geographicAddressManagement/v7 validation (acme-telecom, Grace) -> legacy BSS simulator',
    target: 'gateway',
    method: 'POST',
    path: GRACE_VALIDATION_PATH,
    partner: 'acme-telecom',
    body: buildAddressValidationBody,
  },
  {
    name: 'quote-create',
    description: 'gateway POST quoteManagement/v8/quote (acme-telecom, Grace, ~2 KB body)',
    target: 'gateway',
    method: 'POST',
    path: '/mefApi/sonata/quoteManagement/v8/quote',
    partner: 'acme-telecom',
    body: buildQuoteCreateBody,
    optional: true,
  },
  {
    name: 'order-create',
    description: 'gateway POST productOrderingManagement/v10/productOrder (acme-telecom, Grace)',
    target: 'gateway',
    method: 'POST',
    path: '/mefApi/sonata/productOrderingManagement/v10/productOrder',
    partner: 'acme-telecom',
    body: buildOrderCreateBody,
    optional: true,
  },
];

/** The scenario whose stages are timed in process: the first of these that was available under load. */
export const STAGE_SCENARIO_PREFERENCE: readonly string[] = ['quote-create', 'address-validation'];

/** The normal traffic of the event-loop check. */
export const EVENT_LOOP_SCENARIO = 'address-validation';
