/**
 * The simulated seller's business: address matching, firm quotes priced from the list, product orders with a
 * lifecycle (acknowledged -> inProgress -> completed, or cancelled), each rendered in the wire shape of the
 * seller's release. Business refusals come back as Sonata 422 issues with a `propertyPath` into the request.
 */
import { recordsOrUndefined } from '../../../src/json/unknown-values.js';
import { retrieveAddress, retrieveValidation, validateAddress } from './seller-domain-addresses.js';
import { advanceOrder, cancelOrder, createOrder, findOrder, listOrders, renderOrder, retrieveProduct } from './seller-domain-orders.js';
import { assessQualification, createQualification, retrieveQualification } from './seller-domain-qualifications.js';
import { changeQuote, createQuote, priceQuote, retrieveQuote } from './seller-domain-quotes.js';
import {
  base,
  createSellerState,
  nextId,
  now,
  OPEN_ORDER,
  SellerRefusal,
  type Json,
  type SellerDomainOptions,
  type SellerState,
} from './seller-domain-state.js';

export { SellerRefusal, type SellerDomainOptions } from './seller-domain-state.js';

export interface SellerDomain {
  validateAddress(body: Json): { status: number; body: Json };
  retrieveValidation(id: string): Json;
  retrieveAddress(id: string): Json;
  createQuote(body: Json): Json;
  retrieveQuote(id: string): Json;
  changeQuote(body: Json, to: 'cancelled' | 'declined'): Json;
  createOrder(body: Json): Json;
  retrieveOrder(id: string): Json;
  listOrders(query: Record<string, string>): Json[];
  cancelOrder(body: Json): Json;
  /** one lifecycle step (or straight to `to`); resolves the new state */
  advanceOrder(id: string, to?: 'inProgress' | 'completed' | 'failed'): string;
  /** an installed product (created when an order item completes) */
  retrieveProduct(id: string): Json;
  /** product offering qualification: immediate (instantSyncQualification) or acknowledged until assessed */
  createQualification(body: Json): Json;
  retrieveQualification(id: string): Json;
  /** ids of qualifications still being assessed */
  pendingQualifications(): string[];
  assessQualification(id: string): void;
  /** a trouble ticket about an installed product (relatedEntity) */
  createTicket(body: Json): Json;
  retrieveTicket(id: string): Json;
  /** ids of orders not yet final */
  openOrders(): string[];
  /** ids of quotes still being priced (instantSyncQuote false) */
  pendingQuotes(): string[];
  priceQuote(id: string): void;
}

/**
 * The seller's objects and rules, in memory; events go to `opts.publish` as they happen. Each part works on the
 * one state object: addresses (seller-domain-addresses.ts), item checks and prices (seller-domain-items.ts), quotes,
 * qualifications, orders and products (seller-domain-quotes.ts, -qualifications.ts, -orders.ts), tickets here.
 */
export function createSellerDomain(opts: SellerDomainOptions): SellerDomain {
  const seller = createSellerState(opts);
  return {
    validateAddress: (body) => validateAddress(seller, body),
    retrieveValidation: (id) => retrieveValidation(seller, id),
    retrieveAddress: (id) => retrieveAddress(seller, id),

    createQuote: (body) => createQuote(seller, body),
    retrieveQuote: (id) => retrieveQuote(seller, id),
    changeQuote: (body, to) => changeQuote(seller, body, to),

    createOrder: (body) => createOrder(seller, body),
    retrieveOrder: (id) => renderOrder(seller, findOrder(seller, id)),
    listOrders: (query) => listOrders(seller, query),
    cancelOrder: (body) => cancelOrder(seller, body),
    advanceOrder: (id, to) => advanceOrder(seller, id, to),
    createQualification: (body) => createQualification(seller, body),
    retrieveQualification: (id) => retrieveQualification(seller, id),
    pendingQualifications: () => [...seller.qualifications.values()].filter((q) => q.state === 'acknowledged').map((q) => q.id),
    assessQualification: (id) => assessQualification(seller, id),
    createTicket: (body) => createTicket(seller, body),
    retrieveTicket: (id) => retrieveTicket(seller, id),
    retrieveProduct: (id) => retrieveProduct(seller, id),
    openOrders: () => [...seller.orders.values()].filter((o) => OPEN_ORDER.has(o.state)).map((o) => o.id),
    pendingQuotes: () => [...seller.quotes.values()].filter((q) => q.state === 'acknowledged').map((q) => q.id),
    priceQuote: (id) => priceQuote(seller, id),
  };
}

function createTicket(seller: SellerState, body: Json): Json {
  const entities = recordsOrUndefined(body.relatedEntity) ?? [];
  entities.forEach((e, i) => {
    if (!seller.products.has(String(e.id)))
      throw new SellerRefusal(422, [
        {
          code: 'referenceNotFound',
          propertyPath: `/relatedEntity/${i}/id`,
          reason: `no product ${String(e.id)} of yours is installed here`,
        },
      ]);
  });
  const when = now(seller);
  const id = nextId(seller, 'ticket', 'TT');
  const ticket: Json = {
    ...body,
    id,
    href: `${base(seller, 'troubleTicket')}/troubleTicket/${id}`,
    creationDate: when,
    status: 'acknowledged',
    sellerPriority: body.priority,
    sellerSeverity: body.severity,
    statusChange: [{ status: 'acknowledged', changeDate: when }],
  };
  seller.tickets.set(id, ticket);
  return ticket;
}

function retrieveTicket(seller: SellerState, id: string): Json {
  const t = seller.tickets.get(id);
  if (!t) throw new SellerRefusal(404, [{ code: 'notFound', propertyPath: '', reason: `no trouble ticket ${id}` }]);
  return t;
}
