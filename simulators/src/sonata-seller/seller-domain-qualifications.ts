/**
 * Product offering qualifications of the simulated seller: each item assessed like a quote item (serviceable or not,
 * with an installation interval), at once (instantSyncQualification) or acknowledged until assessed.
 */
import { recordsOrUndefined } from '../../../src/json/unknown-values.js';
import { assessItem } from './seller-domain-items.js';
import {
  base,
  DAY,
  nextId,
  now,
  SellerRefusal,
  type Json,
  type QualificationRec,
  type SellerState,
  type StateChange,
} from './seller-domain-state.js';

function assess(seller: SellerState, q: QualificationRec): void {
  const when = now(seller);
  for (const [i, it] of q.items.entries()) {
    const assessed = assessItem(seller, it.wire, `/productOfferingQualificationItem/${i}`, 12);
    const guaranteed = new Date(seller.opts.now().getTime() + 30 * DAY).toISOString();
    it.result = assessed.price
      ? {
          serviceabilityConfidence: 'green',
          installationInterval: { amount: assessed.price.leadDays, units: 'businessDays' },
          guaranteedUntilDate: guaranteed,
          ...(seller.profile.shapes === 'kylie' && { deliveryType: 'offNetWithoutBuild' }),
        }
      : { serviceabilityConfidence: 'red', serviceabilityConfidenceReason: assessed.reason ?? 'cannot be provided' };
    it.state = seller.profile.poqDone;
    it.stateChange.push({ state: it.state, changeDate: when });
  }
  q.state = seller.profile.poqDone;
  q.stateChange.push({ state: q.state, changeDate: when });
}
function renderQualification(seller: SellerState, q: QualificationRec): Json {
  return {
    ...q.wire,
    id: q.id,
    href: `${base(seller, 'productOfferingQualification')}/productOfferingQualification/${q.id}`,
    state: q.state,
    ...(seller.profile.shapes === 'kylie' && { creationDate: q.creationDate, stateChange: q.stateChange }),
    ...(seller.profile.shapes === 'grace' && { stateChange: q.stateChange }),
    productOfferingQualificationItem: q.items.map((it) => ({
      ...it.wire,
      state: it.state,
      stateChange: it.stateChange,
      ...it.result,
    })),
  };
}

export function createQualification(seller: SellerState, body: Json): Json {
  const items = recordsOrUndefined(body.productOfferingQualificationItem) ?? [];
  for (const [i, it] of items.entries()) assessItem(seller, it, `/productOfferingQualificationItem/${i}`, 12);
  const when = now(seller);
  const q = {
    id: nextId(seller, 'poq', 'POQ'),
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
  seller.qualifications.set(q.id, q);
  if (body.instantSyncQualification === true) {
    q.stateChange = [];
    q.items.forEach((it) => (it.stateChange = []));
    assess(seller, q);
  }
  return renderQualification(seller, q);
}

export function retrieveQualification(seller: SellerState, id: string): Json {
  const q = seller.qualifications.get(id);
  if (!q) throw new SellerRefusal(404, [{ code: 'notFound', propertyPath: '', reason: `no qualification ${id}` }]);
  return renderQualification(seller, q);
}

export function assessQualification(seller: SellerState, id: string): void {
  const q = seller.qualifications.get(id);
  if (q?.state === 'acknowledged') assess(seller, q);
}
