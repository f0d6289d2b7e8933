import type { Logger } from '../../observability/logger.js';
import type { Registry, ResourceDef } from '../../registry/registry.js';
import { evaluateMapping } from '../operation-context.js';
import { randomUUID } from 'node:crypto';
import { applyUpdate, createResourceDoc, type ResourceDoc, type ResourceUpdate, type StateEvent } from './apply-update.js';
import { publishStateEvents, watchedFields, type EventPublisher } from './resource-events.js';
import { isLegacyNotice, publishLegacyNotice } from './legacy-notices.js';
import type { LegacyAnnouncement, LegacyAnnouncer } from './legacy-announcement-types.js';
import { applyProjections } from './resource-projections.js';
import { isBroadcast, publishBroadcast } from './legacy-broadcast.js';
import type { ResourceRepository } from './resource-repository.js';

/** One unified update produced by a legacy event mapping: which resource (by legacy reference) and what changed. */
export interface LegacyResourceUpdate extends ResourceUpdate {
  resource: string;
  legacyRef: string;
  /**
   * a report on a new object of a kept document (a charge the BSS raised on an order): when no document has this
   * legacyRef yet, one is created in `state` for the partner owning the parent (kept as `parent {resource, id,
   * legacyRef, itemId?}`), and the resource's `events.create` is sent; with `listIn` the parent (its item, when
   * named) lists the new document's id in that field (an order item's `charges`)
   */
  parent?: { resource: string; legacyRef: string; itemLegacyRef?: string; listIn?: string };
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
export async function applyLegacyStatus(
  deps: {
    registry: Registry;
    resources: ResourceRepository;
    events: EventPublisher;
    logger: Logger;
    now: () => Date;
    /** tells partners of reports about objects the gateway reads through (`{announce: ...}`); absent: counted unknown */
    announce?: LegacyAnnouncer;
  },
  legacyEvent: unknown,
): Promise<StatusApplyResult> {
  const result: StatusApplyResult = { applied: 0, unknown: 0, events: 0 };
  const noPartner = { lookups: deps.registry.sharedLookups } as never;
  // $now: when the gateway learnt of the report; a mapping bounds the BSS's minute-precision times with it
  const bindings = { now: deps.now().toISOString() };
  for (const handler of deps.registry.legacyEvents) {
    const matches = await evaluateMapping(handler.when, legacyEvent, {}, noPartner);
    if (matches !== true) continue;
    const out = await evaluateMapping(handler.mapping, legacyEvent, bindings, noPartner);
    const sequence = handler.sequence ? await evaluateMapping(handler.sequence, legacyEvent, {}, noPartner) : undefined;
    const all = (Array.isArray(out) ? out : out ? [out] : []) as unknown[];
    // a change every partner with the function may see (a catalogue offering): notified, nothing stored
    for (const u of all.filter(isBroadcast)) result.events += await publishBroadcast(deps, handler, u.broadcast);
    // an object the gateway reads from the BSS on every request (a CIM incident): each partner it concerns is told
    for (const a of all.filter(isAnnouncement)) {
      if (!deps.announce) {
        result.unknown++;
        continue;
      }
      result.applied++;
      result.events += await deps.announce(deps.registry, a.announce);
    }
    const updates = (all.filter((u) => !isBroadcast(u) && !isAnnouncement(u)) as LegacyResourceUpdate[]).map((u) =>
      typeof sequence === 'number' ? { ...u, sequence } : u,
    );
    for (const u of updates) {
      if (isLegacyNotice(u)) {
        result.events += await publishLegacyNotice(deps, u);
        continue;
      }
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
export async function applyResourceUpdate(
  deps: {
    registry: Registry;
    resources: ResourceRepository;
    events: EventPublisher;
    logger: Logger;
    now: () => Date;
  },
  u: LegacyResourceUpdate | (ResourceUpdate & { resource: string; partnerId: string; id: string }),
): Promise<number | null> {
  const def = deps.registry.resources.get(u.resource);
  if (!def) {
    deps.logger.warn('status update for an unknown resource type', { resource: u.resource });
    return null;
  }
  const owner = 'legacyRef' in u ? await deps.resources.findByLegacyRef(def, u.legacyRef) : { partnerId: u.partnerId, id: u.id };
  if (!owner && 'legacyRef' in u && u.parent && u.state) {
    const created = await createChild(
      deps,
      def,
      u as LegacyResourceUpdate & { parent: NonNullable<LegacyResourceUpdate['parent']>; state: string },
    );
    if (created !== undefined) return created;
  }
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
 * Creates the document a report announces (see {@link LegacyResourceUpdate.parent}); undefined when its parent is
 * not kept (the report is then parked like any early one). Two instances handling the same report create it once:
 * the legacy reference is claimed first.
 */
async function createChild(
  deps: {
    registry: Registry;
    resources: ResourceRepository;
    events: EventPublisher;
    logger: Logger;
    now: () => Date;
  },
  def: ResourceDef,
  u: LegacyResourceUpdate & { parent: NonNullable<LegacyResourceUpdate['parent']>; state: string },
): Promise<number | undefined> {
  const parentDef = deps.registry.resources.get(u.parent.resource);
  const owner = parentDef && (await deps.resources.findByLegacyRef(parentDef, u.parent.legacyRef));
  const parent = owner && (await deps.resources.get(parentDef, owner.partnerId, owner.id));
  if (!parent) return undefined;
  const id = randomUUID();
  if (!(await deps.resources.claimLegacyRef(def, u.legacyRef, parent.partnerId, id))) return 0;
  const itemId = u.parent.itemLegacyRef === undefined ? undefined : parent.items?.find((it) => it.legacyRef === u.parent.itemLegacyRef)?.id;
  const now = deps.now().toISOString();
  const doc = createResourceDoc(
    {
      ...u.fields,
      legacyRef: u.legacyRef,
      parent: { resource: parentDef.name, id: parent.id, legacyRef: u.parent.legacyRef, ...(itemId ? { itemId } : {}) },
      ...(u.items
        ? {
            items: u.items.map((it) => ({
              ...it.fields,
              id: it.id,
              legacyRef: it.legacyRef,
              state: it.state ?? u.state,
            })),
          }
        : {}),
    },
    { id, partnerId: parent.partnerId, resource: def.name, now, initialState: u.state },
  );
  if (u.changeReason) doc.stateChange = [{ ...doc.stateChange[0]!, changeReason: u.changeReason }];
  await deps.resources.insert(def, doc);
  if (u.parent.listIn) await listInParent(deps.resources, parentDef, parent, u.parent.listIn, itemId, id);
  if (!def.events.create) return 0;
  await publishStateEvents(
    deps.events,
    { ...def, events: { stateChange: def.events.create } },
    parent.partnerId,
    [{ kind: 'state', resourceId: id, state: doc.state, at: now }],
    deps.logger,
  );
  return 1;
}

/** Adds `{id}` to the list field `field` of the parent document, or of its item `itemId`. */
async function listInParent(
  resources: ResourceRepository,
  def: ResourceDef,
  parent: ResourceDoc,
  field: string,
  itemId: string | undefined,
  id: string,
): Promise<void> {
  await resources.update(def, parent.partnerId, parent.id, (current) => {
    const next = structuredClone(current);
    const target: Record<string, unknown> | undefined = itemId ? next.items?.find((it) => it.id === itemId) : next;
    if (!target || PROTECTED_FIELDS.has(field)) return undefined;
    const list = Array.isArray(target[field]) ? (target[field] as Array<{ id: string }>) : [];
    if (list.some((entry) => entry.id === id)) return undefined;
    target[field] = [...list, { id }];
    return next;
  });
}

const PROTECTED_FIELDS = new Set(['id', 'partnerId', 'resource', 'state', 'stateChange', 'createdAt', 'items', 'legacyRef']);

/**
 * A document in a terminal state (completed, cancelled...) keeps it: a late or duplicated report cannot move it
 * out again. Its other fields may still be updated.
 */
function guardTerminal<T extends ResourceUpdate>(def: ResourceDef, current: ResourceDoc, u: T, logger: Logger): T {
  if (!u.state || u.state === current.state || !def.terminalStates.includes(current.state)) return u;
  logger.warn('status report ignored: the resource is already in a final state', {
    resource: def.name,
    id: current.id,
    state: current.state,
    reported: u.state,
  });
  return { ...u, state: undefined, changeReason: undefined };
}

/** Applies the reports that arrived for a legacy reference before its document was stored. */
export async function replayParkedUpdates(
  deps: {
    registry: Registry;
    resources: ResourceRepository;
    events: EventPublisher;
    logger: Logger;
    now: () => Date;
  },
  def: ResourceDef,
  legacyRef: string,
): Promise<number> {
  const parked = await deps.resources.takeParked(def, legacyRef);
  let n = 0;
  for (const u of parked as LegacyResourceUpdate[]) {
    const applied = await applyResourceUpdate(deps, u);
    if (applied !== null) n++;
  }
  if (n) deps.logger.info('early status reports replayed', { resource: def.name, legacyRef, reports: n });
  return n;
}

function isAnnouncement(u: unknown): u is { announce: LegacyAnnouncement } {
  return typeof u === 'object' && u !== null && 'announce' in u;
}

/**
 * A report about an object the legacy BSS created by itself (a work order its field service opened): the document
 * is created for the partner with that legacy customer number, id = the legacy reference, in the reported state,
 * and `events.created` (with `stateEntered` of that state) is sent. Null when no partner has that customer number.
 */
async function adoptLegacyObject(
  deps: {
    registry: Registry;
    resources: ResourceRepository;
    events: EventPublisher;
    logger: Logger;
    now: () => Date;
  },
  def: ResourceDef,
  u: LegacyResourceUpdate,
): Promise<number | null> {
  const partner = [...deps.registry.partners.values()].find((p) => p.legacyCustomerId === u.customerId);
  if (!partner) return null;
  // a report applied twice (callback and journal poll, two instances) finds the document the first one made
  if (await deps.resources.get(def, partner.id, u.legacyRef)) {
    await deps.resources.linkLegacyRef(def, u.legacyRef, partner.id, u.legacyRef);
    return applyResourceUpdate(deps, { ...u, customerId: undefined });
  }
  const now = deps.now().toISOString();
  const doc = createResourceDoc(
    { ...(u.fields ?? {}), legacyRef: u.legacyRef },
    {
      id: u.legacyRef,
      partnerId: partner.id,
      resource: def.name,
      now,
      initialState: u.state ?? def.initialState,
    },
  );
  if (u.sequence !== undefined) doc.lastSequence = u.sequence;
  await deps.resources.insert(def, doc);
  const created: StateEvent[] = [{ kind: 'created', resourceId: doc.id, state: doc.state, at: now }];
  await publishStateEvents(deps.events, def, partner.id, created, deps.logger);
  return created.length;
}
