// The field service's work order record and book, as the other legacy domains see them (a leaf module: the
// simulator context names the book, and work-order.ts implements it).

/**
 * Work order status codes of the field service ("Arbeitsauftrag"): `OFFEN` open, `GEPLANT` an engineer's visit is
 * booked, `IN_ARBEIT` the engineer is on site, `ERLEDIGT` done, `NICHT_ERLEDIGT` could not be done, `STORNIERT` cancelled.
 */
export type WorkOrderStatus = 'OFFEN' | 'GEPLANT' | 'IN_ARBEIT' | 'ERLEDIGT' | 'NICHT_ERLEDIGT' | 'STORNIERT';

/** One work order of the field service, opened by an order in provisioning (`MONT`) or a fault ticket (`ENTST`). */
export interface WorkOrder {
  readonly WO_NO: string;
  readonly CUST_NO: string;
  /** `MONT` installation (Montage), `ENTST` repair (Entstoerung). */
  readonly AUFTRAGSART: 'MONT' | 'ENTST';
  /** What opened it: `AUFTRAG` (an order, BEZUG_NR = ORDER_NO) or `STOERUNG` (a fault, BEZUG_NR = TT_NO). */
  readonly BEZUG_TYP: 'AUFTRAG' | 'STOERUNG';
  readonly BEZUG_NR: string;
  /** The opening object's remark (an order's REMARKS) or the customer's ticket reference. */
  readonly BEMERKUNG: string | null;
  readonly ASSET_ID: string | null;
  readonly SITE_ID: string | null;
  readonly ADDR_KEY: string;
  /** Engineer region: country and first postcode digit, e.g. `DE-1`. */
  readonly REGION: string;
  readonly TAETIGKEITEN: readonly string[];
  /** Planned time on site in minutes (a multiple of the calendar's 120-minute unit). */
  readonly DAUER_MIN: number;
  /** `J`: the customer must book the engineer's visit; `N`: the engineer needs no access to the premises. */
  readonly TERMIN_PFLICHT: 'J' | 'N';
  /** The opening order's test flag (its events carry it); `null` for faults. */
  readonly TEST_FLAG: 'Y' | 'N' | null;
  WO_STATUS: WorkOrderStatus;
  /** Start of the booked visit, or null. */
  GEPLANT_AM: Date | null;
  /** The booked appointment (TERMIN_NR), or null. */
  TERMIN_NR: string | null;
  readonly ANGELEGT: Date;
  GEAENDERT: Date;
}

/** What an order or a fault hands the field service when it needs an engineer. */
export type WorkOrderInput = Pick<
  WorkOrder,
  'CUST_NO' | 'AUFTRAGSART' | 'BEZUG_TYP' | 'BEZUG_NR' | 'BEMERKUNG' | 'ASSET_ID' | 'SITE_ID' | 'TAETIGKEITEN' | 'TEST_FLAG'
> & { readonly ADDR_KEY: string | null };

/** The field service's work orders as other domains (orders, faults, the calendar) use them. */
export interface WorkOrderBook {
  /** Opens a work order (journalled as WO_STATUS null -> OFFEN); undefined when the place is unknown. */
  open(input: WorkOrderInput): WorkOrder | undefined;
  get(woNo: string): WorkOrder | undefined;
  setStatus(wo: WorkOrder, status: WorkOrderStatus, reason?: string | null): void;
  /** Calls `listener` after every status change (the calendar moves the booked appointment along). */
  onStatus(listener: (wo: WorkOrder) => void): void;
}
