/**
 * The last delivery outcome per partner and callback URL, as this instance saw it (the delivery queue's
 * `onOutcome`); the console's partner page shows it. Bounded: a partner's oldest URLs are forgotten first.
 */
import type { Delivery, DeliveryOutcome } from '../notify/delivery-queue.js';

/** One callback URL and what happened to the last delivery to it. */
export interface CallbackOutcome {
  readonly url: string;
  readonly lastDelivery: { readonly at: string; readonly outcome: DeliveryOutcome };
}

/** Records outcomes and answers them per partner. */
export interface DeliveryOutcomes {
  record(outcome: DeliveryOutcome, delivery: Pick<Delivery, 'partnerId' | 'url'>): void;
  /** newest first */
  forPartner(partnerId: string): CallbackOutcome[];
}

const MAX_URLS_PER_PARTNER = 50;
const MAX_PARTNERS = 1000;

/** Creates the in-memory record. */
export function createDeliveryOutcomes(now: () => Date = () => new Date()): DeliveryOutcomes {
  const byPartner = new Map<string, Map<string, CallbackOutcome>>();
  return {
    record(outcome, d) {
      let urls = byPartner.get(d.partnerId);
      if (!urls) {
        if (byPartner.size >= MAX_PARTNERS) dropOldest(byPartner);
        byPartner.set(d.partnerId, (urls = new Map()));
      }
      urls.delete(d.url);
      urls.set(d.url, { url: d.url, lastDelivery: { at: now().toISOString(), outcome } });
      if (urls.size > MAX_URLS_PER_PARTNER) dropOldest(urls);
    },
    forPartner(partnerId) {
      return [...(byPartner.get(partnerId)?.values() ?? [])].reverse();
    },
  };
}

/** Deletes the first key a map was given (a Map keeps insertion order). */
function dropOldest<K, V>(map: Map<K, V>): void {
  const first = map.keys().next();
  if (!first.done) map.delete(first.value);
}
