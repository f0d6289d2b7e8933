/**
 * The simulated seller's business: address matching, firm quotes priced from the list, product orders with a
 * lifecycle (acknowledged -> inProgress -> completed, or cancelled), each rendered in the wire shape of the
 * seller's release. Business refusals come back as Sonata 422 issues with a `propertyPath` into the request.
 */
import type { SellerEvent } from './seller-notifier.js';
import { foldText, termFactor, toCountryCode, type SellerAddress, type SellerProduct } from './seller-catalogue.js';
import type { SellerProfile } from './seller-profile.js';

type Json = Record<string, unknown>;

/** A business refusal: answered 422 with these issues (or 404 when `notFound`). */
export class SellerRefusal extends Error {
  constructor(
    readonly status: 404 | 422,
    readonly issues: ReadonlyArray<{ code: string; propertyPath: string; reason: string }>,
  ) {
    super(issues.map((i) => `${i.propertyPath}: ${i.reason}`).join('; '));
  }
}

export interface SellerDomainOptions {
  profile: SellerProfile;
  addresses: readonly SellerAddress[];
  products: Readonly<Record<string, SellerProduct>>;
  /** countries the seller serves (alpha-2); others are "unable to provide" */
  countries: readonly string[];
  currency: string;
  /** id prefix, e.g. `NW` */
  prefix: string;
  now: () => Date;
  publish: (e: SellerEvent) => void;
}

interface StateChange {
  state: string;
  changeDate: string;
  changeReason?: string;
}

interface QuoteItemRec {
  wire: Json;
  state: string;
  stateChange: StateChange[];
  price?: { mrc: number; nrc: number; leadDays: number; termMonths: number };
  terminationError?: Json[];
}

interface QuoteRec {
  id: string;
  wire: Json;
  state: string;
  quoteDate: string;
  stateChange: StateChange[];
  items: QuoteItemRec[];
  validUntil?: string;
  pricedAt?: string;
}

interface OrderItemRec {
  wire: Json;
  state: string;
  stateChange: StateChange[];
  leadDays: number;
  productId?: string;
  expectedCompletionDate?: string;
  completionDate?: string;
}

interface OrderRec {
  id: string;
  wire: Json;
  state: string;
  /** Billie's orderVersion: 1 at creation, one more with every change */
  version: number;
  orderDate: string;
  stateChange: StateChange[];
  items: OrderItemRec[];
  completionDate?: string;
  cancellationDate?: string;
  cancellationReason?: string;
}

interface ProductRec {
  id: string;
  status: string;
  statusChange: Array<{ status: string; changeDate: string; changeReason?: string }>;
  startDate: string;
  terminationDate?: string;
  lastUpdateDate: string;
  configuration?: Json;
  term?: Json;
  place?: Json[];
  orderItem: { productOrderId: string; productOrderItemId: string };
}

const OPEN_ORDER = new Set(['acknowledged', 'inProgress']);
const DAY = 86_400_000;

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

/** The seller's objects and rules, in memory; events go to `opts.publish` as they happen. */
export function createSellerDomain(opts: SellerDomainOptions): SellerDomain {
  const { profile } = opts;
  const quotes = new Map<string, QuoteRec>();
  const orders = new Map<string, OrderRec>();
  const validations = new Map<string, Json>();
  const products = new Map<string, ProductRec>();
  const tickets = new Map<string, Json>();
  const qualifications = new Map<
    string,
    {
      id: string;
      wire: Json;
      state: string;
      creationDate: string;
      stateChange: StateChange[];
      items: Array<{ wire: Json; state: string; stateChange: StateChange[]; result?: Json }>;
    }
  >();
  const counters = { quote: 0, order: 0, product: 0, cancel: 0, validation: 0, ticket: 0, poq: 0 };
  const nextId = (kind: keyof typeof counters, tag: string) => `${tag}-${opts.prefix}-${String(++counters[kind]).padStart(6, '0')}`;
  const now = () => opts.now().toISOString();
  const base = (api: keyof SellerProfile['versions']) => `/mefApi/sonata/${api}/${profile.versions[api]}`;

  // ---- addresses
  const renderAddress = (a: SellerAddress): Json =>
    profile.shapes === 'grace'
      ? {
          '@type': 'FieldedAddress',
          id: a.id,
          href: `${base('geographicAddressManagement')}/geographicAddress/${a.id}`,
          allowsNewSite: a.allowsNewSite,
          hasPublicSite: a.hasPublicSite,
          ...(a.streetNr && { streetNr: a.streetNr }),
          streetName: a.streetName,
          city: a.city,
          ...(a.postcode && { postcode: a.postcode }),
          country: a.countryCode,
        }
      : {
          '@type': 'GeographicAddress',
          id: a.id,
          href: `${base('geographicAddressManagement')}/geographicAddress/${a.id}`,
          allowsNewSite: String(a.allowsNewSite),
          hasPublicSite: String(a.hasPublicSite),
          fieldedAddressRepresentation: [
            {
              ...(a.streetNr && { streetNr: a.streetNr }),
              streetName: a.streetName,
              city: a.city,
              ...(a.postcode && { postcode: a.postcode }),
              countryCode: a.countryCode,
            },
          ],
        };

  /** Fielded parts of a submitted address (Grace FieldedAddress/FormattedAddress, Kylie GeographicAddress_Query). */
  const fieldsOf = (
    submitted: Json,
  ): { streetNr?: string; streetName?: string; city?: string; country?: string; text?: string; id?: string } => {
    const type = submitted['@type'];
    if (type === 'FieldedAddress')
      return {
        streetNr: str(submitted.streetNr),
        streetName: str(submitted.streetName),
        city: str(submitted.city),
        country: toCountryCode(submitted.country),
      };
    if (type === 'FormattedAddress')
      return {
        text: [submitted.addrLine1, submitted.addrLine2, submitted.city].filter(Boolean).join(' '),
        city: str(submitted.city),
        country: toCountryCode(submitted.country),
      };
    if (type === 'GeographicAddressLabel') return { id: str(submitted.externalReferenceId) };
    if (type === 'GeographicAddressRef') return { id: str(submitted.id) };
    const f = (submitted.fieldedAddressRepresentation as Json[] | undefined)?.[0];
    if (f)
      return {
        streetNr: str(f.streetNr),
        streetName: str(f.streetName),
        city: str(f.city),
        country: toCountryCode(f.countryCode),
      };
    const fm = (submitted.formattedAddressRepresentation as Json[] | undefined)?.[0];
    if (fm) return { text: str(fm.formattedAddress) };
    const l = (submitted.labelRepresentation as Json[] | undefined)?.[0];
    return { id: str(l?.label) };
  };

  const matchAddress = (submitted: Json): { result: 'success' | 'partial' | 'fail'; best?: SellerAddress; alternates: SellerAddress[] } => {
    const f = fieldsOf(submitted);
    if (f.id) {
      const hit = opts.addresses.find((a) => a.id === f.id);
      return hit ? { result: 'success', best: hit, alternates: [] } : { result: 'fail', alternates: [] };
    }
    const inCountry = opts.addresses.filter((a) => !f.country || a.countryCode === f.country);
    if (f.text) {
      const text = foldText(f.text);
      const hits = inCountry.filter((a) => text.includes(foldText(a.streetName)) && text.includes(foldText(a.city)));
      const exact = hits.find((a) => a.streetNr && new RegExp(`\\b${a.streetNr.toLowerCase()}\\b`).test(text));
      return exact
        ? { result: 'success', best: exact, alternates: hits.filter((a) => a !== exact) }
        : { result: hits.length ? 'partial' : 'fail', alternates: hits };
    }
    const sameStreet = inCountry.filter((a) => foldText(a.streetName) === foldText(f.streetName) && foldText(a.city) === foldText(f.city));
    const exact = sameStreet.find((a) => (a.streetNr ?? '').toLowerCase() === (f.streetNr ?? '').toLowerCase());
    if (exact) return { result: 'success', best: exact, alternates: sameStreet.filter((a) => a !== exact) };
    if (sameStreet.length) return { result: 'partial', alternates: sameStreet };
    const sameCity = inCountry.filter((a) => foldText(a.city) === foldText(f.city));
    return { result: sameCity.length ? 'partial' : 'fail', alternates: sameCity };
  };

  // ---- products and prices
  const termMonthsOf = (term: Json | undefined): number => {
    const d = term?.duration as Json | undefined;
    if (!d || typeof d.amount !== 'number') return 12;
    if (d.units === 'years') return d.amount * 12;
    return d.units === profile.monthUnit ? d.amount : 12;
  };

  /** The place of a product: a known address, an address to look up, or nothing. */
  const placeOf = (product: Json, pointer: string): { address?: SellerAddress; refused?: string } => {
    const place = (product.place as Json[] | undefined)?.[0];
    if (!place) return {};
    const target = profile.shapes === 'grace' ? place : ((place.place as Json | undefined) ?? {});
    const refPath = profile.shapes === 'grace' ? `${pointer}/place/0/id` : `${pointer}/place/0/place/id`;
    if (target['@type'] === 'GeographicAddressRef') {
      const hit = opts.addresses.find((a) => a.id === target.id);
      if (!hit)
        throw new SellerRefusal(422, [
          {
            code: 'referenceNotFound',
            propertyPath: refPath,
            reason: `no address ${String(target.id)} is known to this seller`,
          },
        ]);
      return { address: hit };
    }
    if (target['@type'] === 'GeographicSiteRef')
      throw new SellerRefusal(422, [
        {
          code: 'referenceNotFound',
          propertyPath: refPath,
          reason: 'sites are not known to this seller; reference an address',
        },
      ]);
    const match = matchAddress(target);
    return match.best ? { address: match.best } : { refused: 'the address could not be found' };
  };

  /** Checks one item's product; the price when it can be provided, else the reason why not. */
  const assessItem = (item: Json, pointer: string, termMonths: number): { price?: QuoteItemRec['price']; reason?: string } => {
    const product = (item.product ?? {}) as Json;
    if (item.action !== 'add' && typeof product.id !== 'string') {
      throw new SellerRefusal(422, [
        {
          code: 'missingProperty',
          propertyPath: `${pointer}/product/id`,
          reason: `a ${String(item.action)} needs the id of the installed product`,
        },
      ]);
    }
    const config = (product.productConfiguration ?? {}) as Json;
    const type = config['@type'];
    const def = typeof type === 'string' ? opts.products[type] : undefined;
    if (item.action !== 'delete') {
      if (!product.productConfiguration)
        throw new SellerRefusal(422, [
          {
            code: 'missingProperty',
            propertyPath: `${pointer}/product/productConfiguration`,
            reason: 'the product configuration is required',
          },
        ]);
      if (!def)
        throw new SellerRefusal(422, [
          {
            code: 'invalidValue',
            propertyPath: `${pointer}/product/productConfiguration/@type`,
            reason: `product ${String(type)} is not sold here`,
          },
        ]);
      const bw = config.bandwidthMbps;
      if (typeof bw !== 'number' || !def.bandwidths.includes(bw)) {
        throw new SellerRefusal(422, [
          {
            code: 'invalidValue',
            propertyPath: `${pointer}/product/productConfiguration/bandwidthMbps`,
            reason: `${def.name} is sold at ${def.bandwidths.join(', ')} Mbit/s`,
          },
        ]);
      }
    }
    const place = placeOf(product, `${pointer}/product`);
    if (item.action === 'add' && !place.address && !place.refused) {
      throw new SellerRefusal(422, [
        {
          code: 'missingProperty',
          propertyPath: `${pointer}/product/place`,
          reason: 'a new product needs its installation place',
        },
      ]);
    }
    if (place.refused) return { reason: place.refused };
    if (place.address && !opts.countries.includes(place.address.countryCode))
      return { reason: `${place.address.countryCode} is not served by this seller` };
    if (item.action === 'delete' || !def) return { price: { mrc: 0, nrc: 0, leadDays: 5, termMonths } };
    const bw = config.bandwidthMbps as number;
    return {
      price: {
        mrc: round2(def.mrc(bw) * termFactor(termMonths)),
        nrc: item.action === 'add' ? def.nrc : 150,
        leadDays: item.action === 'add' ? def.leadDays : 5,
        termMonths,
      },
    };
  };

  // ---- quotes
  const priceItems = (q: QuoteRec): void => {
    const when = now();
    for (const [i, it] of q.items.entries()) {
      const assessed = assessItem(it.wire, `/quoteItem/${i}`, termMonthsOf(it.wire.requestedQuoteItemTerm as Json | undefined));
      const firm = q.wire.buyerRequestedQuoteLevel === 'firm';
      const state = assessed.price ? (firm ? 'approved.orderable' : 'answered') : 'unableToProvide';
      it.price = assessed.price;
      if (assessed.reason) it.terminationError = [{ code: 'otherIssue', value: assessed.reason }];
      it.state = state;
      it.stateChange.push({ state, changeDate: when });
    }
    const priced = q.items.filter((it) => it.price);
    const state =
      priced.length === 0
        ? 'unableToProvide'
        : q.items[0] && q.wire.buyerRequestedQuoteLevel === 'firm'
          ? 'approved.orderable'
          : 'answered';
    q.pricedAt = when;
    q.validUntil = new Date(opts.now().getTime() + (q.wire.buyerRequestedQuoteLevel === 'firm' ? 30 : 90) * DAY).toISOString();
    setQuoteState(q, state);
  };

  const setQuoteState = (q: QuoteRec, state: string, reason?: string): void => {
    q.state = state;
    q.stateChange.push({ state, changeDate: now(), ...(reason && { changeReason: reason }) });
    opts.publish({
      api: 'quoteManagement',
      eventType: 'quoteStateChangeEvent',
      payload: eventPayload({ id: q.id, href: `${base('quoteManagement')}/quote/${q.id}` }, state),
    });
  };

  const eventPayload = (ref: Json, state: string): Json => (profile.typedEvents ? { ...ref, state } : ref);

  const renderQuote = (q: QuoteRec): Json => {
    const wire = q.wire;
    const recurring = (mrc: number) => ({
      name: 'Monthly charge',
      priceType: 'recurring',
      recurringChargePeriod: profile.shapes === 'grace' ? 'month' : { amount: 1, units: 'months' },
      price: { dutyFreeAmount: { unit: opts.currency, value: mrc } },
    });
    return {
      ...pick(wire, ['externalId', 'projectId', 'description', 'note', 'relatedContactInformation', 'requestedQuoteCompletionDate']),
      id: q.id,
      href: `${base('quoteManagement')}/quote/${q.id}`,
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
        ...(profile.shapes === 'kylie' && { stateChange: it.stateChange }),
        ...(it.price && {
          subjectToFeasibilityCheck: false,
          quoteItemInstallationInterval: { amount: it.price.leadDays, units: 'businessDays' },
          quoteItemTerm: [
            {
              name: `${it.price.termMonths} months`,
              duration: { amount: it.price.termMonths, units: profile.monthUnit },
              endOfTermAction: 'roll',
              rollInterval: { amount: 1, units: profile.monthUnit },
            },
          ],
          quoteItemPrice: [
            recurring(it.price.mrc),
            {
              name: 'Installation',
              priceType: 'nonRecurring',
              price: { dutyFreeAmount: { unit: opts.currency, value: it.price.nrc } },
            },
          ],
        }),
        ...(it.terminationError && { terminationError: it.terminationError }),
      })),
    };
  };

  const findQuote = (id: string): QuoteRec => {
    const q = quotes.get(id);
    if (!q) throw new SellerRefusal(404, [{ code: 'notFound', propertyPath: '', reason: `no quote ${id}` }]);
    return q;
  };

  // ---- qualifications
  type Qualification = typeof qualifications extends Map<string, infer Q> ? Q : never;
  const assess = (q: Qualification): void => {
    const when = now();
    for (const [i, it] of q.items.entries()) {
      const assessed = assessItem(it.wire, `/productOfferingQualificationItem/${i}`, 12);
      const guaranteed = new Date(opts.now().getTime() + 30 * DAY).toISOString();
      it.result = assessed.price
        ? {
            serviceabilityConfidence: 'green',
            installationInterval: { amount: assessed.price.leadDays, units: 'businessDays' },
            guaranteedUntilDate: guaranteed,
            ...(profile.shapes === 'kylie' && { deliveryType: 'offNetWithoutBuild' }),
          }
        : { serviceabilityConfidence: 'red', serviceabilityConfidenceReason: assessed.reason ?? 'cannot be provided' };
      it.state = profile.poqDone;
      it.stateChange.push({ state: it.state, changeDate: when });
    }
    q.state = profile.poqDone;
    q.stateChange.push({ state: q.state, changeDate: when });
  };
  const renderQualification = (q: Qualification): Json => ({
    ...q.wire,
    id: q.id,
    href: `${base('productOfferingQualification')}/productOfferingQualification/${q.id}`,
    state: q.state,
    ...(profile.shapes === 'kylie' && { creationDate: q.creationDate, stateChange: q.stateChange }),
    ...(profile.shapes === 'grace' && { stateChange: q.stateChange }),
    productOfferingQualificationItem: q.items.map((it) => ({
      ...it.wire,
      state: it.state,
      stateChange: it.stateChange,
      ...it.result,
    })),
  });

  // ---- orders
  const orderBase = () => `${base('productOrderingManagement')}/productOrder`;
  const publishOrder = (o: OrderRec, items: OrderItemRec[]): void => {
    opts.publish({
      api: 'productOrderingManagement',
      eventType: 'productOrderStateChangeEvent',
      payload: eventPayload({ id: o.id, href: `${orderBase()}/${o.id}` }, o.state),
    });
    for (const it of items) {
      opts.publish({
        api: 'productOrderingManagement',
        eventType: 'productOrderItemStateChangeEvent',
        payload: eventPayload({ id: o.id, href: `${orderBase()}/${o.id}`, orderItemId: String(it.wire.id) }, it.state),
      });
    }
  };
  const setOrderState = (o: OrderRec, state: string, itemState: string, reason?: string): void => {
    const when = now();
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
        it.expectedCompletionDate = new Date(Math.max(requested, opts.now().getTime() + it.leadDays * 1.4 * DAY)).toISOString();
      }
      if (itemState === 'completed') {
        it.completionDate = when;
        // a change or termination works on the product the buyer named; a new product gets an id now
        const named = (it.wire.product as Json | undefined)?.id;
        it.productId ??= typeof named === 'string' ? named : nextId('product', 'PRD');
        installProduct(o, it, when);
      }
      changed.push(it);
    }
    if (state === 'completed') o.completionDate = when;
    if (state === 'cancelled') {
      o.cancellationDate = when;
      o.cancellationReason = reason;
    }
    publishOrder(o, changed);
  };

  /** What a completed item did to the inventory: a new product, a changed one, or a terminated one. */
  const installProduct = (o: OrderRec, it: OrderItemRec, when: string): void => {
    const product = (it.wire.product ?? {}) as Json;
    const existing = products.get(it.productId!);
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
    products.set(it.productId!, {
      id: it.productId!,
      status: 'active',
      statusChange: [{ status: 'active', changeDate: when }],
      startDate: when,
      lastUpdateDate: when,
      configuration: product.productConfiguration as Json | undefined,
      term: it.wire.requestedItemTerm as Json | undefined,
      place: profile.shapes === 'kylie' ? (product.place as Json[] | undefined) : undefined,
      orderItem,
    });
  };

  const renderProduct = (p: ProductRec): Json => ({
    id: p.id,
    href: `${base('productInventory')}/product/${p.id}`,
    status: p.status,
    statusChange: p.statusChange,
    startDate: p.startDate,
    lastUpdateDate: p.lastUpdateDate,
    ...(p.terminationDate && { terminationDate: p.terminationDate }),
    ...(p.configuration && { productConfiguration: p.configuration }),
    ...(p.term && { productTerm: [p.term] }),
    ...(p.place && { place: p.place.map((pl) => ({ role: pl.role, place: pl.place })) }),
    productOrderItem: [{ ...p.orderItem, productOrderHref: `${orderBase()}/${p.orderItem.productOrderId}` }],
  });

  /** Billie: the latest expected completion of the order's items, as the order's own */
  const orderExpected = (o: OrderRec): string | undefined =>
    o.items
      .map((it) => it.expectedCompletionDate)
      .filter((d): d is string => !!d)
      .sort()
      .at(-1);
  const renderOrder = (o: OrderRec): Json => ({
    ...pick(o.wire, [
      'externalId',
      'projectId',
      'note',
      'relatedContactInformation',
      ...(profile.orderVersion ? ['description', 'requestedCompletionDate'] : []),
    ]),
    id: o.id,
    href: `${orderBase()}/${o.id}`,
    ...(profile.orderVersion && { orderVersion: String(o.version) }),
    orderDate: o.orderDate,
    state: o.state,
    stateChange: o.stateChange,
    ...(profile.orderVersion && orderExpected(o) && { expectedCompletionDate: orderExpected(o) }),
    ...(o.completionDate && { completionDate: o.completionDate }),
    ...(o.cancellationDate && { cancellationDate: o.cancellationDate }),
    ...(o.cancellationReason && { cancellationReason: o.cancellationReason }),
    productOrderItem: o.items.map((it) => ({
      ...it.wire,
      product: { ...(it.wire.product as Json), ...(it.productId && { id: it.productId }) },
      ...(profile.orderVersion && { sellerItemIdentifier: `${o.id}-${String(it.wire.id)}` }),
      state: it.state,
      stateChange: it.stateChange,
      ...(it.expectedCompletionDate && { expectedCompletionDate: it.expectedCompletionDate }),
      ...(it.completionDate && { completionDate: it.completionDate }),
    })),
  });

  const findOrder = (id: string): OrderRec => {
    const o = orders.get(id);
    if (!o) throw new SellerRefusal(404, [{ code: 'notFound', propertyPath: '', reason: `no product order ${id}` }]);
    return o;
  };

  return {
    validateAddress(body) {
      const submitted = (body.submittedGeographicAddress ?? {}) as Json;
      const m = matchAddress(submitted);
      const alternates = profile.shapes === 'kylie' || body.provideAlternative ? m.alternates : [];
      if (profile.shapes === 'grace') {
        return {
          status: 200,
          body: {
            provideAlternative: body.provideAlternative,
            submittedGeographicAddress: submitted,
            validationResult: m.result,
            ...(m.best && { bestMatchGeographicAddress: renderAddress(m.best) }),
            alternateGeographicAddress: alternates.map(renderAddress),
          },
        };
      }
      const answer: Json = {
        instantSyncValidation: body.instantSyncValidation,
        submittedGeographicAddress: submitted,
        state: 'ready',
        ...(m.best && { bestMatchGeographicAddress: renderAddress(m.best) }),
        alternateGeographicAddress: alternates.map(renderAddress),
      };
      if (body.instantSyncValidation === true) return { status: 200, body: answer };
      const id = nextId('validation', 'GAV');
      validations.set(id, { id, ...answer });
      return { status: 201, body: { id, ...answer } };
    },
    retrieveValidation(id) {
      const v = validations.get(id);
      if (!v) throw new SellerRefusal(404, [{ code: 'notFound', propertyPath: '', reason: `no validation ${id}` }]);
      return v;
    },
    retrieveAddress(id) {
      const a = opts.addresses.find((x) => x.id === id);
      if (!a) throw new SellerRefusal(404, [{ code: 'notFound', propertyPath: '', reason: `no address ${id}` }]);
      return renderAddress(a);
    },

    createQuote(body) {
      const items = (body.quoteItem as Json[] | undefined) ?? [];
      // refusals are checked before anything is kept, so a refused quote leaves no trace
      for (const [i, it] of items.entries()) assessItem(it, `/quoteItem/${i}`, termMonthsOf(it.requestedQuoteItemTerm as Json | undefined));
      const when = now();
      const q: QuoteRec = {
        id: nextId('quote', 'Q'),
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
      quotes.set(q.id, q);
      if (body.instantSyncQuote === true) {
        q.stateChange = [];
        q.items.forEach((it) => (it.stateChange = []));
        priceItems(q);
      }
      return renderQuote(q);
    },
    retrieveQuote: (id) => {
      const q = findQuote(id);
      if (q.validUntil && Date.parse(q.validUntil) < opts.now().getTime() && q.state.startsWith('approved')) setQuoteState(q, 'expired');
      return renderQuote(q);
    },
    changeQuote(body, to) {
      const q = quotes.get(String(body.quoteId));
      if (!q)
        throw new SellerRefusal(422, [{ code: 'referenceNotFound', propertyPath: '/quoteId', reason: `no quote ${String(body.quoteId)}` }]);
      const allowed =
        to === 'cancelled'
          ? ['acknowledged', 'inProgress', 'answered', 'approved.orderable', 'approved.orderableAlternate']
          : ['answered', 'approved.orderable', 'approved.orderableAlternate'];
      if (!allowed.includes(q.state))
        throw new SellerRefusal(422, [{ code: 'invalidValue', propertyPath: '/quoteId', reason: `quote ${q.id} is ${q.state}` }]);
      setQuoteState(q, to, typeof body.reason === 'string' ? body.reason : undefined);
      return { quoteId: q.id, ...(typeof body.reason === 'string' && { reason: body.reason }) };
    },

    createOrder(body) {
      const items = (body.productOrderItem as Json[] | undefined) ?? [];
      const taken: QuoteRec[] = [];
      const recs: OrderItemRec[] = [];
      for (const [i, it] of items.entries()) {
        const pointer = `/productOrderItem/${i}`;
        const requested = typeof it.requestedCompletionDate === 'string' ? Date.parse(it.requestedCompletionDate) : undefined;
        if (requested !== undefined && requested < opts.now().getTime() - DAY) {
          throw new SellerRefusal(422, [
            {
              code: 'invalidValue',
              propertyPath: `${pointer}/requestedCompletionDate`,
              reason: 'the requested completion date is in the past',
            },
          ]);
        }
        const ref = it.quoteItem as Json | undefined;
        let leadDays: number;
        if (ref) {
          const q = quotes.get(String(ref.quoteId));
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
          assessItem(it, pointer, qi.price.termMonths);
          leadDays = qi.price.leadDays;
          if (!taken.includes(q)) taken.push(q);
        } else {
          const assessed = assessItem(it, pointer, termMonthsOf(it.requestedItemTerm as Json | undefined));
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
      const when = now();
      const o: OrderRec = {
        id: nextId('order', 'PO'),
        wire: body,
        state: 'acknowledged',
        version: 1,
        orderDate: when,
        stateChange: [{ state: 'acknowledged', changeDate: when }],
        items: recs,
      };
      for (const it of recs) it.stateChange.push({ state: 'acknowledged', changeDate: when });
      orders.set(o.id, o);
      for (const q of taken) setQuoteState(q, 'accepted');
      return renderOrder(o);
    },
    retrieveOrder: (id) => renderOrder(findOrder(id)),
    listOrders(query) {
      return [...orders.values()]
        .filter((o) => (!query.externalId || o.wire.externalId === query.externalId) && (!query.state || o.state === query.state))
        .reverse()
        .map((o) => ({
          id: o.id,
          orderDate: o.orderDate,
          state: o.state,
          ...(profile.orderVersion && { orderVersion: String(o.version) }),
          ...pick(o.wire, ['externalId', 'projectId', ...(profile.orderVersion ? ['requestedCompletionDate'] : [])]),
          ...(o.completionDate && { completionDate: o.completionDate }),
          ...(o.cancellationDate && { cancellationDate: o.cancellationDate }),
        }));
    },
    cancelOrder(body) {
      const ref = (body.productOrder ?? {}) as Json;
      const o = orders.get(String(ref.productOrderId));
      if (!o)
        throw new SellerRefusal(422, [
          {
            code: 'referenceNotFound',
            propertyPath: '/productOrder/productOrderId',
            reason: `no product order ${String(ref.productOrderId)}`,
          },
        ]);
      // Billie: the cancellation names the version of the order it was decided on; a stale one is refused
      if (profile.orderVersion && body.orderVersion !== String(o.version)) {
        throw new SellerRefusal(422, [
          {
            code: 'invalidValue',
            propertyPath: '/orderVersion',
            reason: `product order ${o.id} is at version ${o.version}, not ${String(body.orderVersion)}`,
          },
        ]);
      }
      const id = nextId('cancel', 'CPO');
      const answer: Json = {
        id,
        href: `${base('productOrderingManagement')}/cancelProductOrder/${id}`,
        productOrder: { productOrderId: o.id, productOrderHref: `${orderBase()}/${o.id}` },
        ...(profile.orderVersion && { orderVersion: String(o.version) }),
        relatedContactInformation: body.relatedContactInformation,
        ...pick(body, ['cancellationReason', 'cancellationReasonType']),
      };
      if (!OPEN_ORDER.has(o.state)) return { ...answer, state: 'rejected', cancellationDeniedReason: `the order is ${o.state}` };
      setOrderState(
        o,
        'cancelled',
        'cancelled',
        typeof body.cancellationReason === 'string' ? body.cancellationReason : 'cancelled by the buyer',
      );
      return { ...answer, state: 'done' };
    },
    advanceOrder(id, to) {
      const o = findOrder(id);
      const step = (): void => {
        if (o.state === 'acknowledged') setOrderState(o, 'inProgress', 'inProgress');
        else if (o.state === 'inProgress') setOrderState(o, 'completed', 'completed');
      };
      if (!OPEN_ORDER.has(o.state)) return o.state;
      if (to === 'failed') setOrderState(o, 'failed', 'failed', 'the access line could not be built');
      else if (to === 'completed') while (OPEN_ORDER.has(o.state)) step();
      else if (to === 'inProgress') {
        if (o.state === 'acknowledged') step();
      } else step();
      return o.state;
    },
    createQualification(body) {
      const items = (body.productOfferingQualificationItem as Json[] | undefined) ?? [];
      for (const [i, it] of items.entries()) assessItem(it, `/productOfferingQualificationItem/${i}`, 12);
      const when = now();
      const q = {
        id: nextId('poq', 'POQ'),
        wire: body,
        state: 'acknowledged',
        creationDate: when,
        stateChange: [{ state: 'acknowledged', changeDate: when }],
        items: items.map((wire) => ({
          wire,
          state: 'acknowledged',
          stateChange: [{ state: 'acknowledged', changeDate: when }] as StateChange[],
        })),
      };
      qualifications.set(q.id, q);
      if (body.instantSyncQualification === true) {
        q.stateChange = [];
        q.items.forEach((it) => (it.stateChange = []));
        assess(q);
      }
      return renderQualification(q);
    },
    retrieveQualification(id) {
      const q = qualifications.get(id);
      if (!q) throw new SellerRefusal(404, [{ code: 'notFound', propertyPath: '', reason: `no qualification ${id}` }]);
      return renderQualification(q);
    },
    pendingQualifications: () => [...qualifications.values()].filter((q) => q.state === 'acknowledged').map((q) => q.id),
    assessQualification(id) {
      const q = qualifications.get(id);
      if (q?.state === 'acknowledged') assess(q);
    },
    createTicket(body) {
      const entities = (body.relatedEntity as Json[] | undefined) ?? [];
      entities.forEach((e, i) => {
        if (!products.has(String(e.id)))
          throw new SellerRefusal(422, [
            {
              code: 'referenceNotFound',
              propertyPath: `/relatedEntity/${i}/id`,
              reason: `no product ${String(e.id)} of yours is installed here`,
            },
          ]);
      });
      const when = now();
      const id = nextId('ticket', 'TT');
      const ticket: Json = {
        ...body,
        id,
        href: `${base('troubleTicket')}/troubleTicket/${id}`,
        creationDate: when,
        status: 'acknowledged',
        sellerPriority: body.priority,
        sellerSeverity: body.severity,
        statusChange: [{ status: 'acknowledged', changeDate: when }],
      };
      tickets.set(id, ticket);
      return ticket;
    },
    retrieveTicket(id) {
      const t = tickets.get(id);
      if (!t) throw new SellerRefusal(404, [{ code: 'notFound', propertyPath: '', reason: `no trouble ticket ${id}` }]);
      return t;
    },
    retrieveProduct(id) {
      const p = products.get(id);
      if (!p) throw new SellerRefusal(404, [{ code: 'notFound', propertyPath: '', reason: `no product ${id}` }]);
      return renderProduct(p);
    },
    openOrders: () => [...orders.values()].filter((o) => OPEN_ORDER.has(o.state)).map((o) => o.id),
    pendingQuotes: () => [...quotes.values()].filter((q) => q.state === 'acknowledged').map((q) => q.id),
    priceQuote(id) {
      const q = findQuote(id);
      if (q.state === 'acknowledged') priceItems(q);
    },
  };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function pick(o: Json, keys: readonly string[]): Json {
  const out: Json = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
