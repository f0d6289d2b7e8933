/**
 * The simulated seller's state (its quotes, orders, products, qualifications, tickets and id counters) and what the
 * parts of its business share: the refusal, ids, timestamps, the base paths of its APIs, event payloads.
 */
import type { SellerEvent } from './seller-notifier.js';
import type { SellerAddress, SellerProduct } from './seller-catalogue.js';
import type { SellerProfile } from './seller-profile.js';

export type Json = Record<string, unknown>;

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

export interface StateChange {
  state: string;
  changeDate: string;
  changeReason?: string;
}

export interface QuoteItemRec {
  wire: Json;
  state: string;
  stateChange: StateChange[];
  price?: { mrc: number; nrc: number; leadDays: number; termMonths: number };
  terminationError?: Json[];
}

export interface QuoteRec {
  id: string;
  wire: Json;
  state: string;
  quoteDate: string;
  stateChange: StateChange[];
  items: QuoteItemRec[];
  validUntil?: string;
  pricedAt?: string;
}

export interface OrderItemRec {
  wire: Json;
  state: string;
  stateChange: StateChange[];
  leadDays: number;
  productId?: string;
  expectedCompletionDate?: string;
  completionDate?: string;
}

export interface OrderRec {
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

export interface ProductRec {
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

export const OPEN_ORDER = new Set(['acknowledged', 'inProgress']);
export const DAY = 86_400_000;

export interface QualificationItemRec {
  wire: Json;
  state: string;
  stateChange: StateChange[];
  result?: Json;
}

export interface QualificationRec {
  id: string;
  wire: Json;
  state: string;
  creationDate: string;
  stateChange: StateChange[];
  items: QualificationItemRec[];
}

/** The seller's objects, in memory, and the options it was made with. */
export interface SellerState {
  readonly opts: SellerDomainOptions;
  readonly profile: SellerProfile;
  readonly quotes: Map<string, QuoteRec>;
  readonly orders: Map<string, OrderRec>;
  readonly validations: Map<string, Json>;
  readonly products: Map<string, ProductRec>;
  readonly tickets: Map<string, Json>;
  readonly qualifications: Map<string, QualificationRec>;
  readonly counters: Record<'quote' | 'order' | 'product' | 'cancel' | 'validation' | 'ticket' | 'poq', number>;
}

export function createSellerState(opts: SellerDomainOptions): SellerState {
  return {
    opts,
    profile: opts.profile,
    quotes: new Map(),
    orders: new Map(),
    validations: new Map(),
    products: new Map(),
    tickets: new Map(),
    qualifications: new Map(),
    counters: { quote: 0, order: 0, product: 0, cancel: 0, validation: 0, ticket: 0, poq: 0 },
  };
}

export function nextId(seller: SellerState, kind: keyof SellerState['counters'], tag: string): string {
  return `${tag}-${seller.opts.prefix}-${String(++seller.counters[kind]).padStart(6, '0')}`;
}

export function now(seller: SellerState): string {
  return seller.opts.now().toISOString();
}

export function base(seller: SellerState, api: keyof SellerProfile['versions']): string {
  return `/mefApi/sonata/${api}/${seller.profile.versions[api]}`;
}

export function eventPayload(seller: SellerState, ref: Json, state: string): Json {
  return seller.profile.typedEvents ? { ...ref, state } : ref;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

export function pick(o: Json, keys: readonly string[]): Json {
  const out: Json = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
