/**
 * Quotes of the simulated seller: created (priced at once with instantSyncQuote, else later), retrieved (an orderable
 * quote past its validity expires), cancelled or declined by the buyer, accepted by an order; each state change is a
 * `quoteStateChangeEvent`.
 */
import { recordOrUndefined, recordsOrUndefined } from '../../../src/json/unknown-values.js';
import { assessItem, termMonthsOf } from './seller-domain-items.js';
import {
  base,
  DAY,
  eventPayload,
  now,
  nextId,
  pick,
  SellerRefusal,
  type Json,
  type QuoteRec,
  type SellerState,
} from './seller-domain-state.js';

function priceItems(seller: SellerState, q: QuoteRec): void {
  const when = now(seller);
  for (const [i, it] of q.items.entries()) {
    const assessed = assessItem(
      seller,
      it.wire,
      `/quoteItem/${i}`,
      termMonthsOf(seller, recordOrUndefined(it.wire.requestedQuoteItemTerm)),
    );
    const firm = q.wire.buyerRequestedQuoteLevel === 'firm';
    const state = assessed.price ? (firm ? 'approved.orderable' : 'answered') : 'unableToProvide';
    it.price = assessed.price;
    if (assessed.reason) it.terminationError = [{ code: 'otherIssue', value: assessed.reason }];
    it.state = state;
    it.stateChange.push({ state, changeDate: when });
  }
  const priced = q.items.filter((it) => it.price);
  const state =
    priced.length === 0 ? 'unableToProvide' : q.items[0] && q.wire.buyerRequestedQuoteLevel === 'firm' ? 'approved.orderable' : 'answered';
  q.pricedAt = when;
  q.validUntil = new Date(seller.opts.now().getTime() + (q.wire.buyerRequestedQuoteLevel === 'firm' ? 30 : 90) * DAY).toISOString();
  setQuoteState(seller, q, state);
}
export function setQuoteState(seller: SellerState, q: QuoteRec, state: string, reason?: string): void {
  q.state = state;
  q.stateChange.push({ state, changeDate: now(seller), ...(reason && { changeReason: reason }) });
  seller.opts.publish({
    api: 'quoteManagement',
    eventType: 'quoteStateChangeEvent',
    payload: eventPayload(seller, { id: q.id, href: `${base(seller, 'quoteManagement')}/quote/${q.id}` }, state),
  });
}

function renderQuote(seller: SellerState, q: QuoteRec): Json {
  const wire = q.wire;
  const recurring = (mrc: number) => ({
    name: 'Monthly charge',
    priceType: 'recurring',
    recurringChargePeriod: seller.profile.shapes === 'grace' ? 'month' : { amount: 1, units: 'months' },
    price: { dutyFreeAmount: { unit: seller.opts.currency, value: mrc } },
  });
  return {
    ...pick(wire, ['externalId', 'projectId', 'description', 'note', 'relatedContactInformation', 'requestedQuoteCompletionDate']),
    id: q.id,
    href: `${base(seller, 'quoteManagement')}/quote/${q.id}`,
    state: q.state,
    quoteDate: q.quoteDate,
    instantSyncQuote: wire.instantSyncQuote,
    buyerRequestedQuoteLevel: wire.buyerRequestedQuoteLevel,
    ...(q.pricedAt && { quoteLevel: wire.buyerRequestedQuoteLevel, effectiveQuoteCompletionDate: q.pricedAt }),
    ...(q.validUntil && { validFor: { startDateTime: q.pricedAt, endDateTime: q.validUntil } }),
    stateChange: q.stateChange,
    quoteItem: q.items.map((it) => ({
      ...it.wire,
      state: it.state,
      ...(seller.profile.shapes === 'kylie' && { stateChange: it.stateChange }),
      ...(it.price && {
        subjectToFeasibilityCheck: false,
        quoteItemInstallationInterval: { amount: it.price.leadDays, units: 'businessDays' },
        quoteItemTerm: [
          {
            name: `${it.price.termMonths} months`,
            duration: { amount: it.price.termMonths, units: seller.profile.monthUnit },
            endOfTermAction: 'roll',
            rollInterval: { amount: 1, units: seller.profile.monthUnit },
          },
        ],
        quoteItemPrice: [
          recurring(it.price.mrc),
          {
            name: 'Installation',
            priceType: 'nonRecurring',
            price: { dutyFreeAmount: { unit: seller.opts.currency, value: it.price.nrc } },
          },
        ],
      }),
      ...(it.terminationError && { terminationError: it.terminationError }),
    })),
  };
}
function findQuote(seller: SellerState, id: string): QuoteRec {
  const q = seller.quotes.get(id);
  if (!q) throw new SellerRefusal(404, [{ code: 'notFound', propertyPath: '', reason: `no quote ${id}` }]);
  return q;
}

export function createQuote(seller: SellerState, body: Json): Json {
  const items = recordsOrUndefined(body.quoteItem) ?? [];
  // refusals are checked before anything is kept, so a refused quote leaves no trace
  for (const [i, it] of items.entries())
    assessItem(seller, it, `/quoteItem/${i}`, termMonthsOf(seller, recordOrUndefined(it.requestedQuoteItemTerm)));
  const when = now(seller);
  const q: QuoteRec = {
    id: nextId(seller, 'quote', 'Q'),
    wire: body,
    state: 'acknowledged',
    quoteDate: when,
    stateChange: [{ state: 'acknowledged', changeDate: when }],
    items: items.map((wire) => ({
      wire,
      state: 'acknowledged',
      stateChange: [{ state: 'acknowledged', changeDate: when }],
    })),
  };
  seller.quotes.set(q.id, q);
  if (body.instantSyncQuote === true) {
    q.stateChange = [];
    q.items.forEach((it) => (it.stateChange = []));
    priceItems(seller, q);
  }
  return renderQuote(seller, q);
}

export function retrieveQuote(seller: SellerState, id: string): Json {
  const q = findQuote(seller, id);
  if (q.validUntil && Date.parse(q.validUntil) < seller.opts.now().getTime() && q.state.startsWith('approved'))
    setQuoteState(seller, q, 'expired');
  return renderQuote(seller, q);
}

export function changeQuote(seller: SellerState, body: Json, to: 'cancelled' | 'declined'): Json {
  const q = seller.quotes.get(String(body.quoteId));
  if (!q)
    throw new SellerRefusal(422, [{ code: 'referenceNotFound', propertyPath: '/quoteId', reason: `no quote ${String(body.quoteId)}` }]);
  const allowed =
    to === 'cancelled'
      ? ['acknowledged', 'inProgress', 'answered', 'approved.orderable', 'approved.orderableAlternate']
      : ['answered', 'approved.orderable', 'approved.orderableAlternate'];
  if (!allowed.includes(q.state))
    throw new SellerRefusal(422, [{ code: 'invalidValue', propertyPath: '/quoteId', reason: `quote ${q.id} is ${q.state}` }]);
  setQuoteState(seller, q, to, typeof body.reason === 'string' ? body.reason : undefined);
  return { quoteId: q.id, ...(typeof body.reason === 'string' && { reason: body.reason }) };
}

export function priceQuote(seller: SellerState, id: string): void {
  const q = findQuote(seller, id);
  if (q.state === 'acknowledged') priceItems(seller, q);
}
