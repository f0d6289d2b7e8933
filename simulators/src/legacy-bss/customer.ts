import express, { type Request, type Response, type Router } from 'express';
import { LEGACY_COUNTRIES } from './legacy-countries.js';
import {
  answerLegacy,
  createLegacyJsonParser,
  LegacyNotFoundError,
  readLegacyFields,
  readLegacyQuery,
  type LegacyFieldReader,
} from './legacy-request.js';
import { checkUniqueSeedKey, readSeedFile } from './seed-file.js';

/** A customer (wholesale partner) of the legacy BSS, field names as the legacy API uses them. */
export interface LegacyCustomerRecord {
  readonly CUST_NO: string;
  readonly CUST_NAME: string;
  readonly COUNTRY: string;
  /** Currency of every price quoted to the customer: `EUR`, `GBP` or `USD`. */
  readonly CURRENCY: string;
  /** `A` active, `S` suspended (no new orders). */
  readonly CUST_STATUS: 'A' | 'S';
  readonly BILL_ACCT: string;
  readonly ACCT_MGR_NAME: string | null;
  readonly ACCT_MGR_PHONE: string | null;
  readonly ACCT_MGR_EMAIL: string | null;
}

/** File name of the customer seed inside the simulator's data folder. */
export const CUSTOMER_SEED_FILE_NAME = 'customers.yaml';

/** Shape of a customer number: `C-100042`. */
export const CUST_NO_PATTERN = /^C-\d{6}$/;

const FIELDS = [
  'CUST_NO',
  'CUST_NAME',
  'COUNTRY',
  'CURRENCY',
  'CUST_STATUS',
  'BILL_ACCT',
  'ACCT_MGR_NAME',
  'ACCT_MGR_PHONE',
  'ACCT_MGR_EMAIL',
];

/**
 * Reads and validates `<dataDir>/customers.yaml`. `currencies` are the ones the price list knows.
 * Throws `LegacyBssSeedError` naming file and line of the first problem.
 */
export function loadCustomerSeed(dataDir: string, currencies: ReadonlySet<string>): ReadonlyMap<string, LegacyCustomerRecord> {
  const root = readSeedFile(dataDir, CUSTOMER_SEED_FILE_NAME).allowOnly(['customers']);
  const seen = new Map<string, number>();
  const customers = new Map<string, LegacyCustomerRecord>();
  const items = root.list('customers');
  if (items.length === 0) root.fail('customers: list is empty');
  for (const item of items) {
    const entry = item.asMap().allowOnly(FIELDS);
    const custNo = entry.text('CUST_NO');
    if (!CUST_NO_PATTERN.test(custNo)) entry.required('CUST_NO').fail(`must look like C-100042, got ${custNo}`);
    checkUniqueSeedKey(seen, custNo, entry.required('CUST_NO'));
    const country = entry.code('COUNTRY', [...LEGACY_COUNTRIES.keys()]);
    const currency = entry.code('CURRENCY', [...currencies]);
    customers.set(
      custNo,
      Object.freeze({
        CUST_NO: custNo,
        CUST_NAME: entry.text('CUST_NAME'),
        COUNTRY: country,
        CURRENCY: currency,
        CUST_STATUS: entry.code('CUST_STATUS', ['A', 'S'] as const),
        BILL_ACCT: entry.text('BILL_ACCT'),
        ACCT_MGR_NAME: entry.optionalText('ACCT_MGR_NAME'),
        ACCT_MGR_PHONE: entry.optionalText('ACCT_MGR_PHONE'),
        ACCT_MGR_EMAIL: entry.optionalText('ACCT_MGR_EMAIL'),
      }),
    );
  }
  return customers;
}

/**
 * Reads the mandatory `CUST_NO` of a request: RC 8 when missing or malformed, RC 4 when no such
 * customer exists (the legacy system does not tell unknown from foreign).
 */
export function requireLegacyCustomer(
  reader: LegacyFieldReader,
  customers: ReadonlyMap<string, LegacyCustomerRecord>,
): LegacyCustomerRecord {
  const custNo = reader.requiredText('CUST_NO', 10);
  if (!CUST_NO_PATTERN.test(custNo)) reader.fail('CUST_NO', `CUST_NO must look like C-100042, got ${custNo}`);
  const customer = customers.get(custNo);
  if (!customer) throw new LegacyNotFoundError('customer unknown');
  return customer;
}

/** The customer domain, mounted under `/bss/v2/customers`: `GET /:custNo` and `POST /inquiry`. */
export function createCustomerRouter(options: { readonly customers: ReadonlyMap<string, LegacyCustomerRecord> }): Router {
  const router = express.Router();
  router.post('/inquiry', createLegacyJsonParser(), (req: Request, res: Response) => {
    answerLegacy(res, () => {
      const reader = readLegacyFields(req.body, { source: 'body', allowed: ['CUST_NO'] });
      return { CUSTOMER: { ...requireLegacyCustomer(reader, options.customers) } };
    });
  });
  router.get('/:custNo', (req: Request, res: Response) => {
    answerLegacy(res, () => {
      // CUST_NO may be repeated in the query like on every other GET; it must then be the same customer.
      const asking = readLegacyQuery(req, ['CUST_NO']).text('CUST_NO', 10);
      const customer = options.customers.get(String(req.params['custNo']));
      if (!customer || (asking !== undefined && asking !== customer.CUST_NO)) throw new LegacyNotFoundError('customer unknown');
      return { CUSTOMER: { ...customer } };
    });
  });
  return router;
}
