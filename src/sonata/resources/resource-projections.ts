import type { Logger } from '../../observability/logger.js';
import type { Registry, ResourceDef } from '../../registry/registry.js';
import { evaluateMapping } from '../operation-context.js';
import { applyUpdate, createResourceDoc, type ResourceDoc } from './apply-update.js';
import type { ResourceRepository } from './resource-repository.js';

/** One document a projection mapping derives from its source document. */
export interface ProjectedDoc {
  id: string;
  legacyRef?: string;
  /** the state a missing document is created in; without it a missing document is not created */
  state?: string;
  changeReason?: string;
  fields?: Record<string, unknown>;
}

/**
 * Keeps the documents derived from `doc` (its resource's `projections`, e.g. inventory products from a completed
 * order) in step: each projection mapping turns the source document into `ProjectedDoc`s of another resource of
 * the same partner. A missing document is created when the entry carries a `state`; an existing one only gets
 * the entry's fields, so later status reports about it (a product's suspension) are never undone by replaying
 * its order. Nothing is written when nothing differs. A failing mapping is logged; the source update stands.
 */
export async function applyProjections(
  deps: { registry: Registry; resources: ResourceRepository; logger: Logger; now: () => Date },
  def: ResourceDef,
  partnerId: string,
  doc: ResourceDoc,
): Promise<number> {
  let written = 0;
  const partner = deps.registry.partners.get(partnerId) ?? ({ lookups: deps.registry.sharedLookups } as never);
  for (const projection of def.projections) {
    const target = deps.registry.resources.get(projection.resource);
    if (!target) continue;
    let out: unknown;
    try {
      out = await evaluateMapping(projection.mapping, doc, { partnerId, now: deps.now().toISOString() }, partner);
    } catch (err) {
      deps.logger.error('projection failed', { from: def.name, to: target.name, id: doc.id, error: String(err) });
      continue;
    }
    const entries = (Array.isArray(out) ? out : out ? [out] : []) as ProjectedDoc[];
    for (const entry of entries) {
      if (typeof entry?.id !== 'string' || entry.id === '') {
        deps.logger.error('projection produced an entry without id', { from: def.name, to: target.name, id: doc.id });
        continue;
      }
      if (await project(deps, target, partnerId, entry)) written++;
    }
  }
  return written;
}

async function project(
  deps: { resources: ResourceRepository; now: () => Date },
  target: ResourceDef,
  partnerId: string,
  entry: ProjectedDoc,
): Promise<boolean> {
  const now = deps.now().toISOString();
  const fields = entry.fields ?? {};
  const existing = await deps.resources.get(target, partnerId, entry.id);
  if (!existing) {
    if (!entry.state) return false;
    const created = createResourceDoc(
      { ...fields, ...(entry.legacyRef ? { legacyRef: entry.legacyRef } : {}) },
      {
        id: entry.id,
        partnerId,
        resource: target.name,
        now,
        initialState: entry.state,
      },
    );
    if (entry.changeReason) created.stateChange = [{ ...created.stateChange[0]!, changeReason: entry.changeReason }];
    await deps.resources.insert(target, created);
    return true;
  }
  if (!differs(existing, fields)) return false;
  await deps.resources.update(target, partnerId, entry.id, (current) => applyUpdate(current, { fields }, now).doc);
  return true;
}

function differs(doc: ResourceDoc, fields: Record<string, unknown>): boolean {
  return Object.entries(fields).some(([k, v]) => (v === null ? doc[k] !== undefined : JSON.stringify(doc[k]) !== JSON.stringify(v)));
}
