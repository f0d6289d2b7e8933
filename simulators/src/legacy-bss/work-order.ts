import express, { type Router } from 'express';
import { requireLegacyCustomer } from './customer.js';
import {
  LegacyInputError,
  LegacyNotFoundError,
  mountLegacyReads,
  pageLegacyList,
  PAGING_FIELDS,
  type LegacyFieldReader,
} from './legacy-request.js';
import { formatLegacyTimestamp } from './legacy-timestamp.js';
import type { SimContext, SimDomain } from './sim-context.js';
import type { WorkOrder, WorkOrderBook, WorkOrderStatus } from './work-order-types.js';

export type { WorkOrder, WorkOrderBook, WorkOrderInput, WorkOrderStatus } from './work-order-types.js';

const WORK_ORDER_STATUSES: readonly WorkOrderStatus[] = ['OFFEN', 'GEPLANT', 'IN_ARBEIT', 'ERLEDIGT', 'NICHT_ERLEDIGT', 'STORNIERT'];
const FINAL: readonly WorkOrderStatus[] = ['ERLEDIGT', 'NICHT_ERLEDIGT', 'STORNIERT'];

const SEARCH_FIELDS = [
  'CUST_NO',
  'WO_STATUS',
  'AUFTRAGSART',
  'SITE_ID',
  'ADDR_KEY',
  'ASSET_ID',
  'BEZUG_NR',
  'TERMIN_PFLICHT',
  ...PAGING_FIELDS,
];

/** Builds the work order book; `context.journal` receives every status change as a `WO_STATUS` event. */
export function createWorkOrderBook(
  context: Pick<SimContext, 'seed' | 'now' | 'journal' | 'nextNumber'>,
): WorkOrderBook & { all(): WorkOrder[] } {
  const orders = new Map<string, WorkOrder>();
  const listeners: Array<(wo: WorkOrder) => void> = [];
  const setStatus = (wo: WorkOrder, status: WorkOrderStatus, reason: string | null = null): void => {
    if (wo.WO_STATUS === status) return;
    const old = wo.WO_STATUS;
    wo.WO_STATUS = status;
    wo.GEAENDERT = context.now();
    context.journal.record({
      EVT_TYPE: 'WO_STATUS',
      CUST_NO: wo.CUST_NO,
      OBJ_ID: wo.WO_NO,
      OLD_STATUS: old,
      NEW_STATUS: status,
      TEST_FLAG: wo.TEST_FLAG,
      INFO: reason,
    });
    for (const listener of listeners) listener(wo);
  };
  return {
    open(input) {
      const addrKey = input.ADDR_KEY ?? (input.SITE_ID ? context.seed.sites.get(input.SITE_ID)?.ADDR_KEY : undefined);
      const address = addrKey ? context.seed.addresses.get(addrKey) : undefined;
      if (!address) return undefined;
      const now = context.now();
      const wo: WorkOrder = {
        ...input,
        WO_NO: context.nextNumber('AA'),
        ADDR_KEY: address.ADDR_KEY,
        REGION: regionOf(address.COUNTRY, address.POST_CODE),
        DAUER_MIN: input.AUFTRAGSART === 'MONT' ? 240 : 120,
        TERMIN_PFLICHT: 'J',
        WO_STATUS: 'OFFEN',
        GEPLANT_AM: null,
        TERMIN_NR: null,
        ANGELEGT: now,
        GEAENDERT: now,
      };
      orders.set(wo.WO_NO, wo);
      context.journal.record({
        EVT_TYPE: 'WO_STATUS',
        CUST_NO: wo.CUST_NO,
        OBJ_ID: wo.WO_NO,
        OLD_STATUS: null,
        NEW_STATUS: 'OFFEN',
        TEST_FLAG: wo.TEST_FLAG,
        INFO: `${wo.BEZUG_TYP} ${wo.BEZUG_NR}`,
      });
      return wo;
    },
    get: (woNo) => orders.get(woNo),
    setStatus,
    onStatus: (listener) => listeners.push(listener),
    all: () => [...orders.values()],
  };
}

/** The engineer region of an address: `DE-1` for a German postcode 1xxxx. */
export function regionOf(country: string, postCode: string): string {
  const code =
    country === 'Germany' ? 'DE' : country === 'Austria' ? 'AT' : country === 'Switzerland' ? 'CH' : country.slice(0, 2).toUpperCase();
  return `${code}-${postCode.slice(0, 1)}`;
}

/** A work order as the legacy API shows it (dates as `dd.MM.yyyy HH:mm` Berlin time). */
export function renderWorkOrder(wo: WorkOrder): Record<string, unknown> {
  return {
    ...wo,
    TAETIGKEITEN: [...wo.TAETIGKEITEN],
    GEPLANT_AM: wo.GEPLANT_AM ? formatLegacyTimestamp(wo.GEPLANT_AM) : null,
    ANGELEGT: formatLegacyTimestamp(wo.ANGELEGT),
    GEAENDERT: formatLegacyTimestamp(wo.GEAENDERT),
  };
}

/**
 * The work order domain, mounted under `/bss/v2/workorders`: list and inquiry of the customer's work orders
 * (another customer's is "not found"), and the field service's own progress as a {@link SimDomain}
 * (`_sim/workorders/{WO_NO}/advance`, auto-advance): a booked work order is worked (IN_ARBEIT) and then done.
 */
export function createWorkOrderDomain(context: SimContext, book: WorkOrderBook & { all(): WorkOrder[] }): SimDomain {
  const router: Router = express.Router();
  mountLegacyReads(router, {
    searchFields: SEARCH_FIELDS,
    search(reader: LegacyFieldReader) {
      const customer = requireLegacyCustomer(reader, context.seed.customers);
      const criteria: Record<string, string | undefined> = {
        WO_STATUS: reader.code('WO_STATUS', WORK_ORDER_STATUSES),
        AUFTRAGSART: reader.code('AUFTRAGSART', ['MONT', 'ENTST'] as const),
        SITE_ID: reader.text('SITE_ID', 9),
        ADDR_KEY: reader.text('ADDR_KEY', 20),
        ASSET_ID: reader.text('ASSET_ID', 10),
        BEZUG_NR: reader.text('BEZUG_NR', 20),
        TERMIN_PFLICHT: reader.code('TERMIN_PFLICHT', ['J', 'N'] as const),
      };
      const matches = book
        .all()
        .filter(
          (wo) =>
            wo.CUST_NO === customer.CUST_NO &&
            Object.entries(criteria).every(
              ([field, value]) => value === undefined || (wo as unknown as Record<string, unknown>)[field] === value,
            ),
        )
        .sort((a, b) => b.ANGELEGT.getTime() - a.ANGELEGT.getTime() || b.WO_NO.localeCompare(a.WO_NO));
      const { page, ...paging } = pageLegacyList(reader, matches);
      return { ...paging, WORK_ORDERS: page.map(renderWorkOrder) };
    },
    idField: 'WO_NO',
    idMaxLength: 20,
    inquire(reader, woNo) {
      const customer = requireLegacyCustomer(reader, context.seed.customers);
      const wo = book.get(woNo);
      if (!wo || wo.CUST_NO !== customer.CUST_NO) throw new LegacyNotFoundError('work order unknown');
      return { WORK_ORDER: renderWorkOrder(wo) };
    },
  });
  const step = (wo: WorkOrder, reason: string | null): void => {
    if (wo.WO_STATUS === 'GEPLANT') return book.setStatus(wo, 'IN_ARBEIT', reason ?? 'engineer on site');
    if (wo.WO_STATUS === 'IN_ARBEIT') return book.setStatus(wo, 'ERLEDIGT', reason ?? 'work done');
    throw new LegacyInputError(
      'WO_NO',
      `work order ${wo.WO_NO} is ${wo.WO_STATUS}: ${FINAL.includes(wo.WO_STATUS) ? 'final' : 'no visit booked'}`,
    );
  };
  return {
    path: 'workorders',
    router,
    advanceFields: ['WO_STATUS', 'REASON'],
    advance(id, reader) {
      const wo = book.get(id);
      if (!wo) throw new LegacyNotFoundError('work order unknown');
      const target = reader.code('WO_STATUS', WORK_ORDER_STATUSES);
      const reason = reader.text('REASON', 200) ?? null;
      if (target) book.setStatus(wo, target, reason);
      else step(wo, reason);
      return { WORK_ORDER: renderWorkOrder(wo) };
    },
    tick() {
      // the engineer comes at the booked time and stays the planned duration
      const now = context.now().getTime();
      for (const wo of book.all()) {
        const start = wo.GEPLANT_AM?.getTime();
        if (start === undefined) continue;
        if ((wo.WO_STATUS === 'GEPLANT' && now >= start) || (wo.WO_STATUS === 'IN_ARBEIT' && now >= start + wo.DAUER_MIN * 60_000))
          step(wo, null);
      }
    },
    sweep() {},
  };
}
