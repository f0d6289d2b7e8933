/**
 * Product orders of the simulated seller and the inventory they build: created (from orderable quotes or priced
 * items), listed, cancelled (Billie: at the order's version), moved through acknowledged -> inProgress -> completed
 * (or failed); a completed item creates, changes or terminates a product. Every change is a
 * `productOrderStateChangeEvent` plus one `productOrderItemStateChangeEvent` per item that changed.
 */
import { asRecord, recordOrUndefined, recordsOrUndefined } from '../../../src/json/unknown-values.js';
import { assessItem, termMonthsOf } from './seller-domain-items.js';
import { setQuoteState } from './seller-domain-quotes.js';
import {
  base,
  DAY,
  eventPayload,
  nextId,
  now,
  OPEN_ORDER,
  pick,
  SellerRefusal,
  type Json,
  type OrderItemRec,
  type OrderRec,
  type ProductRec,
  type QuoteRec,
  type SellerState,
} from './seller-domain-state.js';

function orderBase(seller: SellerState) {
  return `${base(seller, 'productOrderingManagement')}/productOrder`;
}
function publishOrder(seller: SellerState, o: OrderRec, items: OrderItemRec[]): void {
  seller.opts.publish({
    api: 'productOrderingManagement',
    eventType: 'productOrderStateChangeEvent',
    payload: eventPayload(seller, { id: o.id, href: `${orderBase(seller)}/${o.id}` }, o.state),
  });
  for (const it of items) {
    seller.opts.publish({
      api: 'productOrderingManagement',
      eventType: 'productOrderItemStateChangeEvent',
      payload: eventPayload(seller, { id: o.id, href: `${orderBase(seller)}/${o.id}`, orderItemId: String(it.wire.id) }, it.state),
    });
  }
}
function setOrderState(seller: SellerState, o: OrderRec, state: string, itemState: string, reason?: string): void {
  const when = now(seller);
  o.state = state;
  o.version++;
  o.stateChange.push({ state, changeDate: when, ...(reason && { changeReason: reason }) });
  const changed: OrderItemRec[] = [];
  for (const it of o.items) {
    if (it.state === itemState) continue;
    it.state = itemState;
    it.stateChange.push({ state: itemState, changeDate: when });
    if (itemState === 'inProgress') {
      const requested = typeof it.wire.requestedCompletionDate === 'string' ? Date.parse(it.wire.requestedCompletionDate) : 0;
      it.expectedCompletionDate = new Date(Math.max(requested, seller.opts.now().getTime() + it.leadDays * 1.4 * DAY)).toISOString();
    }
    if (itemState === 'completed') {
      it.completionDate = when;
      // a change or termination works on the product the buyer named; a new product gets an id now
      const named = recordOrUndefined(it.wire.product)?.id;
      it.productId ??= typeof named === 'string' ? named : nextId(seller, 'product', 'PRD');
      installProduct(seller, o, it, when);
    }
    changed.push(it);
  }
  if (state === 'completed') o.completionDate = when;
  if (state === 'cancelled') {
    o.cancellationDate = when;
    o.cancellationReason = reason;
  }
  publishOrder(seller, o, changed);
}
/** What a completed item did to the inventory: a new product, a changed one, or a terminated one. */
function installProduct(seller: SellerState, o: OrderRec, it: OrderItemRec, when: string): void {
  const product = asRecord(it.wire.product);
  const existing = seller.products.get(it.productId!);
  const orderItem = { productOrderId: o.id, productOrderItemId: String(it.wire.id) };
  if (it.wire.action === 'delete') {
    if (existing)
      Object.assign(existing, {
        status: 'terminated',
        terminationDate: when,
        lastUpdateDate: when,
        statusChange: [...existing.statusChange, { status: 'terminated', changeDate: when }],
      });
    return;
  }
  if (existing) {
    Object.assign(existing, {
      configuration: product.productConfiguration ?? existing.configuration,
      lastUpdateDate: when,
      orderItem,
    });
    return;
  }
  seller.products.set(it.productId!, {
    id: it.productId!,
    status: 'active',
    statusChange: [{ status: 'active', changeDate: when }],
    startDate: when,
    lastUpdateDate: when,
    configuration: recordOrUndefined(product.productConfiguration),
    term: recordOrUndefined(it.wire.requestedItemTerm),
    place: seller.profile.shapes === 'kylie' ? recordsOrUndefined(product.place) : undefined,
    orderItem,
  });
}
function renderProduct(seller: SellerState, p: ProductRec): Json {
  return {
    id: p.id,
    href: `${base(seller, 'productInventory')}/product/${p.id}`,
    status: p.status,
    statusChange: p.statusChange,
    startDate: p.startDate,
    lastUpdateDate: p.lastUpdateDate,
    ...(p.terminationDate && { terminationDate: p.terminationDate }),
    ...(p.configuration && { productConfiguration: p.configuration }),
    ...(p.term && { productTerm: [p.term] }),
    ...(p.place && { place: p.place.map((pl) => ({ role: pl.role, place: pl.place })) }),
    productOrderItem: [{ ...p.orderItem, productOrderHref: `${orderBase(seller)}/${p.orderItem.productOrderId}` }],
  };
}
/** Billie: the latest expected completion of the order's items, as the order's own */
function orderExpected(o: OrderRec): string | undefined {
  return o.items
    .map((it) => it.expectedCompletionDate)
    .filter((d): d is string => !!d)
    .sort()
    .at(-1);
}
export function renderOrder(seller: SellerState, o: OrderRec): Json {
  return {
    ...pick(o.wire, [
      'externalId',
      'projectId',
      'note',
      'relatedContactInformation',
      ...(seller.profile.orderVersion ? ['description', 'requestedCompletionDate'] : []),
    ]),
    id: o.id,
    href: `${orderBase(seller)}/${o.id}`,
    ...(seller.profile.orderVersion && { orderVersion: String(o.version) }),
    orderDate: o.orderDate,
    state: o.state,
    stateChange: o.stateChange,
    ...(seller.profile.orderVersion && orderExpected(o) && { expectedCompletionDate: orderExpected(o) }),
    ...(o.completionDate && { completionDate: o.completionDate }),
    ...(o.cancellationDate && { cancellationDate: o.cancellationDate }),
    ...(o.cancellationReason && { cancellationReason: o.cancellationReason }),
    productOrderItem: o.items.map((it) => ({
      ...it.wire,
      product: { ...(it.wire.product as Json), ...(it.productId && { id: it.productId }) },
      ...(seller.profile.orderVersion && { sellerItemIdentifier: `${o.id}-${String(it.wire.id)}` }),
      state: it.state,
      stateChange: it.stateChange,
      ...(it.expectedCompletionDate && { expectedCompletionDate: it.expectedCompletionDate }),
      ...(it.completionDate && { completionDate: it.completionDate }),
    })),
  };
}
export function findOrder(seller: SellerState, id: string): OrderRec {
  const o = seller.orders.get(id);
  if (!o) throw new SellerRefusal(404, [{ code: 'notFound', propertyPath: '', reason: `no product order ${id}` }]);
  return o;
}

export function createOrder(seller: SellerState, body: Json): Json {
  const items = recordsOrUndefined(body.productOrderItem) ?? [];
  const taken: QuoteRec[] = [];
  const recs: OrderItemRec[] = [];
  for (const [i, it] of items.entries()) {
    const pointer = `/productOrderItem/${i}`;
    const requested = typeof it.requestedCompletionDate === 'string' ? Date.parse(it.requestedCompletionDate) : undefined;
    if (requested !== undefined && requested < seller.opts.now().getTime() - DAY) {
      throw new SellerRefusal(422, [
        {
          code: 'invalidValue',
          propertyPath: `${pointer}/requestedCompletionDate`,
          reason: 'the requested completion date is in the past',
        },
      ]);
    }
    const ref = recordOrUndefined(it.quoteItem);
    let leadDays: number;
    if (ref) {
      const q = seller.quotes.get(String(ref.quoteId));
      if (!q)
        throw new SellerRefusal(422, [
          {
            code: 'referenceNotFound',
            propertyPath: `${pointer}/quoteItem/quoteId`,
            reason: `no quote ${String(ref.quoteId)}`,
          },
        ]);
      if (q.state !== 'approved.orderable' && !taken.includes(q))
        throw new SellerRefusal(422, [
          {
            code: 'invalidValue',
            propertyPath: `${pointer}/quoteItem/quoteId`,
            reason: `quote ${q.id} is ${q.state}, not orderable`,
          },
        ]);
      const qi = q.items.find((x) => x.wire.id === ref.id);
      if (!qi?.price)
        throw new SellerRefusal(422, [
          {
            code: 'referenceNotFound',
            propertyPath: `${pointer}/quoteItem/id`,
            reason: `quote ${q.id} has no orderable item ${String(ref.id)}`,
          },
        ]);
      assessItem(seller, it, pointer, qi.price.termMonths);
      leadDays = qi.price.leadDays;
      if (!taken.includes(q)) taken.push(q);
    } else {
      const assessed = assessItem(seller, it, pointer, termMonthsOf(seller, recordOrUndefined(it.requestedItemTerm)));
      if (!assessed.price)
        throw new SellerRefusal(422, [
          {
            code: 'invalidValue',
            propertyPath: `${pointer}/product/place`,
            reason: assessed.reason ?? 'cannot be provided',
          },
        ]);
      leadDays = assessed.price.leadDays;
    }
    recs.push({ wire: it, state: 'acknowledged', stateChange: [], leadDays });
  }
  const when = now(seller);
  const o: OrderRec = {
    id: nextId(seller, 'order', 'PO'),
    wire: body,
    state: 'acknowledged',
    version: 1,
    orderDate: when,
    stateChange: [{ state: 'acknowledged', changeDate: when }],
    items: recs,
  };
  for (const it of recs) it.stateChange.push({ state: 'acknowledged', changeDate: when });
  seller.orders.set(o.id, o);
  for (const q of taken) setQuoteState(seller, q, 'accepted');
  return renderOrder(seller, o);
}

export function listOrders(seller: SellerState, query: Record<string, string>): Json[] {
  return [...seller.orders.values()]
    .filter((o) => (!query.externalId || o.wire.externalId === query.externalId) && (!query.state || o.state === query.state))
    .reverse()
    .map((o) => ({
      id: o.id,
      orderDate: o.orderDate,
      state: o.state,
      ...(seller.profile.orderVersion && { orderVersion: String(o.version) }),
      ...pick(o.wire, ['externalId', 'projectId', ...(seller.profile.orderVersion ? ['requestedCompletionDate'] : [])]),
      ...(o.completionDate && { completionDate: o.completionDate }),
      ...(o.cancellationDate && { cancellationDate: o.cancellationDate }),
    }));
}

export function cancelOrder(seller: SellerState, body: Json): Json {
  const ref = asRecord(body.productOrder);
  const o = seller.orders.get(String(ref.productOrderId));
  if (!o)
    throw new SellerRefusal(422, [
      {
        code: 'referenceNotFound',
        propertyPath: '/productOrder/productOrderId',
        reason: `no product order ${String(ref.productOrderId)}`,
      },
    ]);
  // Billie: the cancellation names the version of the order it was decided on; a stale one is refused
  if (seller.profile.orderVersion && body.orderVersion !== String(o.version)) {
    throw new SellerRefusal(422, [
      {
        code: 'invalidValue',
        propertyPath: '/orderVersion',
        reason: `product order ${o.id} is at version ${o.version}, not ${String(body.orderVersion)}`,
      },
    ]);
  }
  const id = nextId(seller, 'cancel', 'CPO');
  const answer: Json = {
    id,
    href: `${base(seller, 'productOrderingManagement')}/cancelProductOrder/${id}`,
    productOrder: { productOrderId: o.id, productOrderHref: `${orderBase(seller)}/${o.id}` },
    ...(seller.profile.orderVersion && { orderVersion: String(o.version) }),
    relatedContactInformation: body.relatedContactInformation,
    ...pick(body, ['cancellationReason', 'cancellationReasonType']),
  };
  if (!OPEN_ORDER.has(o.state)) return { ...answer, state: 'rejected', cancellationDeniedReason: `the order is ${o.state}` };
  setOrderState(
    seller,
    o,
    'cancelled',
    'cancelled',
    typeof body.cancellationReason === 'string' ? body.cancellationReason : 'cancelled by the buyer',
  );
  return { ...answer, state: 'done' };
}

export function advanceOrder(seller: SellerState, id: string, to?: 'inProgress' | 'completed' | 'failed'): string {
  const o = findOrder(seller, id);
  const step = (): void => {
    if (o.state === 'acknowledged') setOrderState(seller, o, 'inProgress', 'inProgress');
    else if (o.state === 'inProgress') setOrderState(seller, o, 'completed', 'completed');
  };
  if (!OPEN_ORDER.has(o.state)) return o.state;
  if (to === 'failed') setOrderState(seller, o, 'failed', 'failed', 'the access line could not be built');
  else if (to === 'completed') while (OPEN_ORDER.has(o.state)) step();
  else if (to === 'inProgress') {
    if (o.state === 'acknowledged') step();
  } else step();
  return o.state;
}

export function retrieveProduct(seller: SellerState, id: string): Json {
  const p = seller.products.get(id);
  if (!p) throw new SellerRefusal(404, [{ code: 'notFound', propertyPath: '', reason: `no product ${id}` }]);
  return renderProduct(seller, p);
}
