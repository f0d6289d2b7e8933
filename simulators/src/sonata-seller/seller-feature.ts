/**
 * A Sonata API the simulated seller serves from its own file (billing, appointments): which release has it, in which
 * major, where its notifications go, and how it installs its routes, its `/_sim` controls and its test control.
 * `create-sonata-seller-app.ts` installs every feature of `SELLER_FEATURES` its release has.
 */
import type { Express } from 'express';
import type { NotificationTarget } from './seller-profile.js';
import type { SellerRelease } from './seller-profile.js';

type Json = Record<string, unknown>;

/** What a feature's route handler gets: the request and the buyer (OAuth client) that sent it. */
export interface FeatureRequest {
  body: Json;
  params: Record<string, string>;
  query: Record<string, string>;
  /** the OAuth client id of the caller: a buyer sees only its own objects */
  client: string;
}

export type FeatureHandler = (req: FeatureRequest) => {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
};

/** What the seller app lends a feature. */
export interface SellerFeatureContext {
  release: SellerRelease;
  /** id prefix of the seller (e.g. `NA`) */
  prefix: string;
  currency: string;
  /** body shapes: `grace` (places as typed refs) or `kylie` (MEF 150: `{role, place}`) */
  shapes: 'grace' | 'kylie';
  /** events carry the new state (Kylie) rather than only naming the object (Grace) */
  typedEvents: boolean;
  /** the buyers (OAuth clients) the seller knows */
  clients: readonly string[];
  now: () => Date;
  /** address ids of the seller's address book (where its work happens) */
  addressIds: readonly string[];
  /**
   * a route below `/mefApi/sonata/<api>/<version>` of this feature, validated like every other route; `bodyless`: a
   * POST the spec gives no body (e.g. `/appointment/{id}/cancel`)
   */
  route(method: 'get' | 'post' | 'delete', specPath: string, handler: FeatureHandler, options?: { bodyless?: boolean }): void;
  /** queues a notification to the hubs registered on this feature's API */
  publish(eventType: string, payload: Json): void;
  /** the Express app, for `/_sim/...` controls */
  app: Express;
}

/** One feature: its API, per release its version and notification target, and its installer. */
export interface SellerFeature<Control> {
  /** the management API (`customerBillManagement`) */
  readonly api: string;
  /** releases serving it; others do not have the API */
  readonly releases: Readonly<Partial<Record<SellerRelease, { version: string; notifications: NotificationTarget; hubRetrieve: boolean }>>>;
  install(ctx: SellerFeatureContext): Control;
}

/** A refusal with a Sonata 422 issue list (or 404): thrown by handlers, rendered by the app. */
export function issue(code: string, propertyPath: string, reason: string): { code: string; propertyPath: string; reason: string } {
  return { code, propertyPath, reason };
}

/**
 * Midnight of a calendar day in Europe/Berlin, as a UTC instant: the seller bills by its local calendar (month
 * starts and ends at local midnight), so bill periods fall on whole local days.
 */
export function berlinMidnight(year: number, month: number, day: number): Date {
  const fmt = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Berlin',
    hour: '2-digit',
    hourCycle: 'h23',
    day: '2-digit',
  });
  for (const offsetHours of [1, 2, 0]) {
    const candidate = new Date(Date.UTC(year, month, day) - offsetHours * 3_600_000);
    const parts = fmt.formatToParts(candidate);
    if (parts.find((p) => p.type === 'hour')?.value === '00') return candidate;
  }
  return new Date(Date.UTC(year, month, day));
}
