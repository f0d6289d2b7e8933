/**
 * Customer bills of the simulated seller (Customer Bill Management: Grace v2, Kylie v3; the same wire in both): a
 * few bills per buyer (OAuth client) with their items, the list with its filters and paging headers, one bill, one
 * bill item, and `customerBillCreateEvent` / `customerBillStateChangeEvent` to the registered hubs when the control
 * (`/_sim/bills`) issues a bill or changes its state. A buyer sees only its own bills (another's id is a 404).
 */
import { errorMessage } from '../../../src/json/unknown-values.js';
import express, { type Request, type Response } from 'express';
import { berlinMidnight, issue, type SellerFeature, type SellerFeatureContext } from './seller-feature.js';
import { SellerRefusal } from './seller-domain.js';

type Json = Record<string, unknown>;

/** States of a bill (CustomerBillStateType). */
export type BillState = 'generated' | 'paymentDue' | 'settled';
const BILL_STATES: readonly BillState[] = ['generated', 'paymentDue', 'settled'];

/** Test and demo control of the seller's bills. */
export interface SellerBillingControl {
  /** issues a new bill (this month, `generated`) to the buyer (default: the first client); notifies the hubs */
  issueBill(client?: string): Json;
  /** moves a bill to `to`; notifies the hubs */
  setBillState(id: string, to: BillState): Json;
  /** ids of a buyer's bills, oldest first */
  billIds(client?: string): string[];
}

interface ItemRec {
  id: string;
  type: 'recurring' | 'nonRecurring' | 'usageBased';
  description: string;
  productName: string;
  unit: string;
  unitRateCents: number;
  quantity: number;
  order: string;
}
interface BillRec {
  id: string;
  client: string;
  no: string;
  state: BillState;
  start: Date;
  end: Date;
  billDate: Date;
  dueDate: Date;
  lastUpdate: Date;
  items: ItemRec[];
  paid: boolean;
}

const TAX_RATE = 0.19;
const cents = (c: number) => Math.round(c) / 100;

/** The billing API of the seller (absent from Billie). */
export const billingFeature: SellerFeature<SellerBillingControl> = {
  api: 'customerBillManagement',
  releases: {
    grace: { version: 'v2', notifications: { api: 'customerBillNotification', version: 'v2' }, hubRetrieve: true },
    kylie: { version: 'v3', notifications: { api: 'customerBillNotification', version: 'v3' }, hubRetrieve: true },
  },
  install: installBilling,
};

/** The billing API's state: the buyers' bills, and what it reads of the seller. */
interface BillingState {
  readonly ctx: SellerFeatureContext;
  readonly base: string;
  readonly bills: Map<string, BillRec>;
  counter: number;
}

function installBilling(ctx: SellerFeatureContext): SellerBillingControl {
  const state: BillingState = {
    ctx,
    base: `/mefApi/sonata/customerBillManagement/${billingFeature.releases[ctx.release]!.version}`,
    bills: new Map(),
    counter: 0,
  };
  // three months per buyer: settled, payment due, just generated
  for (const client of ctx.clients) {
    addBill(state, client, 3, 'settled', true);
    addBill(state, client, 2, 'paymentDue', false);
    addBill(state, client, 1, 'generated', false);
  }
  registerBillingRoutes(state);
  const control: SellerBillingControl = {
    issueBill(client = ctx.clients[0] ?? 'buyer') {
      const b = addBill(state, client, 0, 'generated', false);
      notify(state, 'customerBillCreateEvent', b);
      return render(state, b);
    },
    setBillState: (id, to) => setBillState(state, id, to),
    billIds: (client = ctx.clients[0] ?? 'buyer') => [...state.bills.values()].filter((b) => b.client === client).map((b) => b.id),
  };
  mountBillingControl(ctx, control);
  return control;
}

const netCents = (b: BillRec) => b.items.reduce((s, it) => s + Math.round(it.unitRateCents * it.quantity), 0);
const itemTax = (it: ItemRec) => Math.round(Math.round(it.unitRateCents * it.quantity) * TAX_RATE);
const taxCents = (b: BillRec) => b.items.reduce((s, it) => s + itemTax(it), 0);

function money(state: BillingState, c: number): Json {
  return { unit: state.ctx.currency, value: cents(c) };
}

/** A bill of the month `monthsBack` months ago: a monthly charge and an installation or a usage item. */
function addBill(state: BillingState, client: string, monthsBack: number, billState: BillState, withInstallation: boolean): BillRec {
  const { ctx } = state;
  const today = ctx.now();
  const y = today.getUTCFullYear();
  const m = today.getUTCMonth() - monthsBack;
  const start = berlinMidnight(y, m, 1);
  const end = new Date(berlinMidnight(y, m + 1, 1).getTime() - 1000);
  const billDate = new Date(berlinMidnight(y, m + 1, 1).getTime() + 3 * 86_400_000 + 8 * 3_600_000);
  const id = `${ctx.prefix}-BILL-${String(++state.counter).padStart(4, '0')}`;
  const mid = new Date(start.getTime() + 86_400_000);
  const period = `${mid.getUTCFullYear()}${String(mid.getUTCMonth() + 1).padStart(2, '0')}`;
  const order = `PO-${ctx.prefix}-000001`;
  const items: ItemRec[] = [
    {
      id: `${id}-1`,
      type: 'recurring',
      description: 'Access E-Line 100 Mbit/s, monthly charge',
      productName: 'Access E-Line',
      unit: 'month',
      unitRateCents: 18_400,
      quantity: 1,
      order,
    },
    withInstallation
      ? {
          id: `${id}-2`,
          type: 'nonRecurring',
          description: 'Installation',
          productName: 'Access E-Line',
          unit: 'each',
          unitRateCents: 50_000,
          quantity: 1,
          order,
        }
      : {
          id: `${id}-2`,
          type: 'usageBased',
          description: 'Traffic above the committed rate',
          productName: 'Access E-Line',
          unit: 'GB',
          unitRateCents: 5,
          quantity: 1234,
          order,
        },
  ];
  const rec: BillRec = {
    id,
    client,
    no: `${ctx.prefix}-INV-${period}-${state.counter}`,
    state: billState,
    start,
    end,
    billDate,
    dueDate: new Date(billDate.getTime() + 30 * 86_400_000),
    lastUpdate: billDate,
    items,
    paid: billState === 'settled',
  };
  state.bills.set(id, rec);
  return rec;
}

function renderFind(b: BillRec): Json {
  return {
    id: b.id,
    billNo: b.no,
    billingAccount: { id: `BA-${b.client}` },
    billingPeriod: { startDateTime: b.start.toISOString(), endDateTime: b.end.toISOString() },
    category: 'normal',
    state: b.state,
  };
}

function render(state: BillingState, b: BillRec): Json {
  const { base } = state;
  const net = netCents(b);
  const gross = net + taxCents(b);
  const remaining = b.paid ? 0 : gross;
  return {
    ...renderFind(b),
    href: `${base}/customerBill/${b.id}`,
    amountDue: money(state, gross),
    remainingAmount: money(state, remaining),
    appliedPayment: b.paid
      ? [
          {
            appliedAmount: money(state, gross),
            payment: {
              id: `PAY-${b.id}`,
              amount: money(state, gross),
              paymentMethod: 'wireTransfer',
              paymentDate: new Date(b.dueDate.getTime() - 5 * 86_400_000).toISOString(),
            },
          },
        ]
      : [],
    billCycle: 'monthly',
    billDate: b.billDate.toISOString(),
    billDocument: { url: `https://billing.seller.example/documents/${b.no}.pdf` },
    credits: money(state, 0),
    discounts: money(state, 0),
    fees: money(state, 0),
    customerBillItem: b.items.map((it) => ({ id: it.id, href: `${base}/customerBillItem/${it.id}` })),
    financialAccount: { id: `FA-${b.client}`, name: `Account of ${b.client}` },
    lastUpdate: b.lastUpdate.toISOString(),
    paymentDueDate: b.dueDate.toISOString(),
    runType: 'onCycle',
    relatedContactInformation: [
      {
        role: 'sellerBillingContact',
        name: 'Billing desk',
        number: '+49 30 5550100',
        emailAddress: 'billing@seller.example',
      },
    ],
    taxExcludedAmount: money(state, net),
    taxIncludedAmount: money(state, gross),
    taxItem: [{ taxCategory: 'VAT', taxRate: TAX_RATE, taxAmount: money(state, taxCents(b)) }],
  };
}

function itemState(b: BillRec): string {
  return b.state;
}

function renderItem(state: BillingState, b: BillRec, it: ItemRec): Json {
  return {
    id: it.id,
    href: `${state.base}/customerBillItem/${it.id}`,
    appliedTax: [{ category: 'country', description: 'VAT', rate: TAX_RATE, amount: money(state, itemTax(it)) }],
    appliedFee: [],
    customerBillItemType: it.type,
    description: it.description,
    periodCoverage: { startDateTime: b.start.toISOString(), endDateTime: b.end.toISOString() },
    product: { id: `PRD-${state.ctx.prefix}-000001` },
    productOrderItem: { productOrderId: it.order, productOrderItemId: '1' },
    productName: it.productName,
    state: itemState(b),
    taxExcludedAmount: money(state, Math.round(it.unitRateCents * it.quantity)),
    unit: it.unit,
    unitRate: money(state, it.unitRateCents),
    unitQuantity: it.quantity,
  };
}

function ownBill(state: BillingState, client: string, id: string): BillRec {
  const b = state.bills.get(id);
  if (!b || b.client !== client) throw new SellerRefusal(404, [issue('notFound', '', `no customer bill ${id}`)]);
  return b;
}

function notify(state: BillingState, eventType: string, b: BillRec): void {
  const ref = { id: b.id, href: `${state.base}/customerBill/${b.id}` };
  state.ctx.publish(eventType, state.ctx.typedEvents && eventType === 'customerBillStateChangeEvent' ? { ...ref, state: b.state } : ref);
}

function within(iso: Date, gt?: string, lt?: string): boolean {
  return (!gt || iso.getTime() > Date.parse(gt)) && (!lt || iso.getTime() < Date.parse(lt));
}

/** The buyer's routes: the list with its filters and paging headers, one bill, one bill item. */
function registerBillingRoutes(state: BillingState): void {
  const { ctx, bills } = state;
  ctx.route('get', '/customerBill', ({ query, client }) => {
    const all = [...bills.values()].filter(
      (b) =>
        b.client === client &&
        (!query['billingAccount.id'] || query['billingAccount.id'] === `BA-${b.client}`) &&
        (!query.state || query.state === b.state) &&
        (!query.category || query.category === 'normal') &&
        within(b.start, query['billingPeriod.startDateTime.gt'], query['billingPeriod.startDateTime.lt']) &&
        within(b.end, query['billingPeriod.endDateTime.gt'], query['billingPeriod.endDateTime.lt']),
    );
    const offset = Number(query.offset ?? 0) || 0;
    const limit = Number(query.limit ?? 50) || 50;
    const page = all.slice(offset, offset + limit);
    return {
      status: 200,
      body: page.map(renderFind),
      headers: {
        'X-Total-Count': String(all.length),
        'X-Result-Count': String(page.length),
        'X-Pagination-Throttled': 'false',
      },
    };
  });
  // the official files answer a read by id with an array (of the one bill or item): the simulator keeps to their letter
  ctx.route('get', '/customerBill/{id}', ({ params, client }) => ({
    status: 200,
    body: [render(state, ownBill(state, client, params.id!))],
  }));
  ctx.route('get', '/customerBillItem/{id}', ({ params, client }) => {
    const b = [...bills.values()].find((x) => x.client === client && x.items.some((it) => it.id === params.id));
    if (!b) throw new SellerRefusal(404, [issue('notFound', '', `no customer bill item ${params.id}`)]);
    return {
      status: 200,
      body: [
        renderItem(
          state,
          b,
          b.items.find((it) => it.id === params.id)!,
        ),
      ],
    };
  });
}

function setBillState(state: BillingState, id: string, to: BillState): Json {
  const b = state.bills.get(id);
  if (!b) throw new Error(`no customer bill ${id}`);
  if (!BILL_STATES.includes(to)) throw new Error(`unknown bill state ${String(to)} (${BILL_STATES.join(', ')})`);
  b.state = to;
  b.paid = to === 'settled';
  b.lastUpdate = state.ctx.now();
  notify(state, 'customerBillStateChangeEvent', b);
  return render(state, b);
}

function mountBillingControl(ctx: SellerFeatureContext, control: SellerBillingControl): void {
  // demo: curl -X POST <seller>/_sim/bills  and  <seller>/_sim/bills/<id>/state -d '{"to":"settled"}'
  ctx.app.post('/_sim/bills', express.json(), (req: Request, res: Response) => {
    const client = (req.body as { client?: string } | undefined)?.client;
    res.status(201).json(control.issueBill(client));
  });
  ctx.app.post('/_sim/bills/:id/state', express.json(), (req: Request, res: Response) => {
    try {
      res.json(control.setBillState(String(req.params.id), (req.body as { to?: BillState } | undefined)?.to ?? 'paymentDue'));
    } catch (err) {
      res.status(404).json({ code: 'notFound', reason: errorMessage(err) });
    }
  });
}
