import type { Logger } from '../../observability/logger.js';
import type { Registry, ResourceDef } from '../../registry/registry.js';
import { evaluateMapping } from '../operation-context.js';
import { applyUpdate, createResourceDoc, type ResourceDoc, type ResourceUpdate, type StateEvent } from './apply-update.js';
import { publishStateEvents, watchedFields, type EventPublisher } from './resource-events.js';
import { applyProjections } from './resource-projections.js';
import type { ResourceRepository } from './resource-repository.js';

/** One unified update produced by a legacy event mapping: which resource (by legacy reference) and what changed. */
export interface LegacyResourceUpdate extends ResourceUpdate {
  resource: string;
  legacyRef: string;
  /** the legacy customer number the object belongs to: lets a resource with adoptFromLegacy adopt an unknown object */
  customerId?: string;
}

export interface StatusApplyResult {
  applied: number;
  /** updates for resources the gateway does not know (e.g. orders placed directly in the BSS) */
  unknown: number;
  events: number;
}

/**
 * Applies a status report of the legacy BSS (a callback, a polled journal entry, or a staff completion in
 * the work queue's unified form) to the resources the gateway keeps, and publishes the resulting Sonata
 * state events. Idempotent: re-applying a report changes nothing and emits nothing.
 */
export async function applyLegacyStatus(deps: {
  registry: Registry; resources: ResourceRepository; events: EventPublisher; logger: Logger; now: () => Date;
}, legacyEvent: unknown): Promise<StatusApplyResult> {
  const result: StatusApplyResult = { applied: 0, unknown: 0, events: 0 };
  const noPartner = { lookups: deps.registry.sharedLookups } as never;
  // $now: when the gateway learnt of the report; a mapping bounds the BSS's minute-precision times with it
  const bindings = { now: deps.now().toISOString() };
  for (const handler of deps.registry.legacyEvents) {
    const matches = await evaluateMapping(handler.when, legacyEvent, {}, noPartner);
    if (matches !== true) continue;
    const out = await evaluateMapping(handler.mapping, legacyEvent, bindings, noPartner);
    const sequence = handler.sequence ? await evaluateMapping(handler.sequence, legacyEvent, {}, noPartner) : undefined;
    const updates = ((Array.isArray(out) ? out : out ? [out] : []) as LegacyResourceUpdate[])
      .map((u) => (typeof sequence === 'number' ? { ...u, sequence } : u));
    for (const u of updates) {
      const n = await applyResourceUpdate(deps, u);
      if (n === null) result.unknown++;
      else {
        result.applied++;
        result.events += n;
      }
    }
  }
  return result;
}

/** Applies one unified update to the resource with that legacy reference; null when no such resource. */
export async function applyResourceUpdate(deps: {
  registry: Registry; resources: ResourceRepository; events: EventPublisher; logger: Logger; now: () => Date;
}, u: LegacyResourceUpdate | (ResourceUpdate & { resource: string; partnerId: string; id: string })): Promise<number | null> {
  const def = deps.registry.resources.get(u.resource);
  if (!def) {
    deps.logger.warn('status update for an unknown resource type', { resource: u.resource });
    return null;
  }
  const owner = 'legacyRef' in u ? await deps.resources.findByLegacyRef(def, u.legacyRef) : { partnerId: u.partnerId, id: u.id };
  if (!owner && 'legacyRef' in u && def.adoptFromLegacy && typeof u.customerId === 'string') return adoptLegacyObject(deps, def, u);
  if (!owner) {
    // the legacy BSS may report on an object before the create that made it has been stored: keep the
    // report for a while; the create replays it right after storing the document (replayParkedUpdates)
    if ('legacyRef' in u) await deps.resources.park(def, u.legacyRef, u);
    return null;
  }
  let events: ReturnType<typeof applyUpdate>['events'] = [];
  const doc = await deps.resources.update(def, owner.partnerId, owner.id, (current) => {
    const applied = applyUpdate(current, guardTerminal(def, current, u, deps.logger), deps.now().toISOString(), watchedFields(def));
    events = applied.events;
    return applied.doc;
  });
  if (!doc) return null;
  await publishStateEvents(deps.events, def, owner.partnerId, events, deps.logger);
  if (def.projections.length) await applyProjections(deps, def, owner.partnerId, doc);
  return events.length;
}

/**
 * A document in a terminal state (completed, cancelled...) keeps it: a late or duplicated report cannot move it
 * out again. Its other fields may still be updated.
 */
function guardTerminal<T extends ResourceUpdate>(def: ResourceDef, current: ResourceDoc, u: T, logger: Logger): T {
  if (!u.state || u.state === current.state || !def.terminalStates.includes(current.state)) return u;
  logger.warn('status report ignored: the resource is already in a final state', { resource: def.name, id: current.id, state: current.state, reported: u.state });
  return { ...u, state: undefined, changeReason: undefined };
}

/** Applies the reports that arrived for a legacy reference before its document was stored. */
export async function replayParkedUpdates(deps: {
  registry: Registry; resources: ResourceRepository; events: EventPublisher; logger: Logger; now: () => Date;
}, def: ResourceDef, legacyRef: string): Promise<number> {
  const parked = await deps.resources.takeParked(def, legacyRef);
  let n = 0;
  for (const u of parked as LegacyResourceUpdate[]) {
    const applied = await applyResourceUpdate(deps, u);
    if (applied !== null) n++;
  }
  if (n) deps.logger.info('early status reports replayed', { resource: def.name, legacyRef, reports: n });
  return n;
}

/**
 * A report about an object the legacy BSS created by itself (a work order its field service opened): the document
 * is created for the partner with that legacy customer number, id = the legacy reference, in the reported state,
 * and `events.created` (with `stateEntered` of that state) is sent. Null when no partner has that customer number.
 */
async function adoptLegacyObject(deps: {
  registry: Registry; resources: ResourceRepository; events: EventPublisher; logger: Logger; now: () => Date;
}, def: ResourceDef, u: LegacyResourceUpdate): Promise<number | null> {
  const partner = [...deps.registry.partners.values()].find((p) => p.legacyCustomerId === u.customerId);
  if (!partner) return null;
  // a report applied twice (callback and journal poll, two instances) finds the document the first one made
  if (await deps.resources.get(def, partner.id, u.legacyRef)) {
    await deps.resources.linkLegacyRef(def, u.legacyRef, partner.id, u.legacyRef);
    return applyResourceUpdate(deps, { ...u, customerId: undefined });
  }
  const now = deps.now().toISOString();
  const doc = createResourceDoc({ ...(u.fields ?? {}), legacyRef: u.legacyRef }, {
    id: u.legacyRef, partnerId: partner.id, resource: def.name, now, initialState: u.state ?? def.initialState,
  });
  if (u.sequence !== undefined) doc.lastSequence = u.sequence;
  await deps.resources.insert(def, doc);
  const created: StateEvent[] = [{ kind: 'created', resourceId: doc.id, state: doc.state, at: now }];
  await publishStateEvents(deps.events, def, partner.id, created, deps.logger);
  return created.length;
}
