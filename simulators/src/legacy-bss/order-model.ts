import type { LegacyAsset } from './asset.js';
import type { FeasibilityVerdict } from './coverage.js';
import type { LegacyLinePrice } from './product-catalogue.js';
import type { ResolvedProductLine } from './product-line.js';
import type { StatusHistoryEntry } from './sim-context.js';

// The order domain's records (order.ts keeps them, order-charge.ts applies the charge rules to them): a leaf
// module, so the two need not import each other.

/**
 * Charge types of the BSS: `EXPEDITE` (an earlier delivery date, raised at validation), `SURVEY` (an extra site
 * survey), `CONSTR` (construction work), `CONNECT` (connection), `OTHER`.
 */
export const CHARGE_TYPES = ['EXPEDITE', 'SURVEY', 'CONSTR', 'CONNECT', 'OTHER'] as const;
export type ChargeType = (typeof CHARGE_TYPES)[number];

/**
 * Order status codes: `RCVD` received (syntax checked), `VALD` validated, `HOLD` on hold until the
 * customer decides on a charge, `PROV` in provisioning, `COMP` completed, `PCMP` partly completed
 * (some lines failed), `REJD` rejected, `CANC` cancelled, `FAIL` failed.
 */
export type OrderStatus = 'RCVD' | 'VALD' | 'HOLD' | 'PROV' | 'COMP' | 'PCMP' | 'REJD' | 'CANC' | 'FAIL';

/** Order line status codes: as the order's, without `PCMP`. */
export type OrderLineStatus = Exclude<OrderStatus, 'PCMP'>;

/** Charge status codes: `OPEN` (awaiting the customer), `ACPT` accepted, `DECL` declined, `WDRN` withdrawn by the BSS. */
export type ChargeStatus = 'OPEN' | 'ACPT' | 'DECL' | 'WDRN';

/** A charge the BSS raised on an order line that the customer must accept or decline. */
export interface OrderCharge {
  readonly CHARGE_ID: string;
  readonly LINE_REF: string;
  readonly CHARGE_TYPE: ChargeType;
  readonly CHARGE_DESC: string;
  /** `Y`: declining it cancels the line; `N`: the line goes on without what it would buy. */
  readonly BLOCKING: 'Y' | 'N';
  /** When the customer must have decided (the gateway answers for it when the time is up). */
  readonly RESP_BY: Date;
  /** One-off amount in minor units of `CURRENCY`. */
  readonly AMOUNT: number;
  readonly CURRENCY: string;
  CHARGE_STATUS: ChargeStatus;
  readonly RAISED: Date;
  DECIDED: Date | null;
}

/** One line of an order. */
export interface OrderLine {
  readonly resolved: ResolvedProductLine;
  readonly CONFIG: string | null;
  readonly OFFER_NO: string | null;
  readonly OFFER_LINE_REF: string | null;
  readonly TERM_MONTHS: number;
  REQ_DATE: Date | null;
  readonly EXPEDITE: 'Y' | 'N';
  /** Date an expedite charge would buy; `null` when no charge is needed. */
  readonly expediteTo: Date | null;
  readonly verdict: FeasibilityVerdict;
  readonly STD_DATE: Date;
  EXP_DATE: Date;
  COMP_DATE: Date | null;
  STATUS: OrderLineStatus;
  STATUS_RSN: string | null;
  readonly STATUS_HIST: StatusHistoryEntry<OrderLineStatus>[];
  readonly price: LegacyLinePrice;
  /** The asset the line created (NEW, from provisioning on) or works on (CHG, DEL). */
  asset: LegacyAsset | undefined;
}

/** An order of one customer. */
export interface Order {
  readonly ORDER_NO: string;
  readonly CUST_NO: string;
  readonly CUST_ORDER_REF: string | null;
  readonly PROJECT_REF: string | null;
  readonly TEST_FLAG: 'Y' | 'N';
  readonly CONTACT_NAME: string | null;
  readonly CONTACT_PHONE: string | null;
  readonly CONTACT_EMAIL: string | null;
  readonly REMARKS: string | null;
  STATUS: OrderStatus;
  STATUS_RSN: string | null;
  readonly ORDER_DATE: Date;
  COMP_DATE: Date | null;
  CANC_DATE: Date | null;
  LAST_CHG: Date;
  readonly STATUS_HIST: StatusHistoryEntry<OrderStatus>[];
  readonly CHARGES: OrderCharge[];
  readonly lines: OrderLine[];
}
