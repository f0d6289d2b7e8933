import { GatewayError, type PropertyIssue } from '../../errors/catalogue.js';
import type { ReferenceDef } from '../../registry/registry.js';
import type { ResourceDoc, ResourceItem } from './apply-update.js';
import { unescapeToken } from '../../json/json-pointer.js';

/** One reference found in a request, with the document (and item) it names. */
export interface ResolvedReference {
  /** the referenced document's id, as the request gave it */
  readonly id: string;
  /** the referenced item's id, when the reference names an item */
  readonly itemId?: string;
  /** the indices the `*`s of `idPath` matched, outermost first (`index` is the first of them) */
  readonly indices: readonly number[];
  readonly index?: number;
  /** where the reference sits in the partner's request */
  readonly requestPath: string;
  readonly document: ResourceDoc;
  readonly item?: ResourceItem;
}

/** What the legacy mappings see as `$references`: the resolved references by `name`. */
export type ReferenceBindings = Record<string, ResolvedReference[]>;

/** Reads the partner's own document of a resource (null when it has none with that id). */
export type ReferenceLoader = (resource: string, id: string) => Promise<ResourceDoc | null>;

/**
 * Finds every reference a unified create request makes (`references` of the operation), loads the partner's
 * documents they name and checks them: the document (and item) exists, is in an allowed state and has not
 * expired, and (`version`) is still the version the request was made against. Every problem becomes one entry of a
 * single 422 pointing at the reference in the partner's request: `referenceNotFound` for a missing document or item
 * (another partner's document is missing too), `invalidValue` for one that cannot be referred to now. A reference whose id is absent from the request is not checked.
 */
export async function resolveReferences(
  defs: readonly ReferenceDef[],
  request: unknown,
  load: ReferenceLoader,
  now: Date,
): Promise<{ bindings: ReferenceBindings; legacyPathParams: Record<string, string> }> {
  const bindings: ReferenceBindings = {};
  const legacyPathParams: Record<string, string> = {};
  const issues: PropertyIssue[] = [];
  const cache = new Map<string, Promise<ResourceDoc | null>>();
  const loadOnce = (resource: string, id: string) => {
    const key = `${resource}\n${id}`;
    if (!cache.has(key)) cache.set(key, load(resource, id));
    return cache.get(key)!;
  };

  for (const def of defs) {
    const found: ResolvedReference[] = (bindings[def.name] ??= []);
    for (const match of expandPointer(request, def.idPath)) {
      const requestPath = fillIndices(def.requestPath, match.indices);
      const problem = (code: PropertyIssue['code'], reason: string) =>
        issues.push({ code, propertyPath: requestPath, reason: reason.slice(0, 255) });
      if (typeof match.value !== 'string' || match.value === '') {
        problem('invalidValue', `the ${def.resource} id must be a non-empty string`);
        continue;
      }
      const id = match.value;
      const itemIdValue = def.itemIdPath === undefined ? undefined : readConcrete(request, def.itemIdPath, match.indices);
      if (def.itemIdPath !== undefined && (typeof itemIdValue !== 'string' || itemIdValue === '')) {
        problem('missingProperty', `the ${def.resource} item id is missing`);
        continue;
      }
      const itemId = itemIdValue as string | undefined;
      const document = await loadOnce(def.resource, id);
      if (!document) {
        problem('referenceNotFound', `no ${def.resource} with id ${id}`);
        continue;
      }
      if (def.allowedStates && !def.allowedStates.includes(document.state)) {
        problem('invalidValue', `${def.resource} ${id} is ${document.state} (needs: ${def.allowedStates.join(', ')})`);
        continue;
      }
      if (def.version) {
        const given = readConcrete(request, def.version.path, match.indices);
        const kept = readConcrete(document, def.version.documentPath, []);
        if (given !== undefined && given !== null && kept !== undefined && kept !== null && String(given) !== String(kept)) {
          issues.push({
            code: 'invalidValue',
            propertyPath: fillIndices(def.version.requestPath, match.indices),
            reason: `${def.resource} ${id} is at version ${String(kept)}, not ${String(given)}: retrieve it and ask again`.slice(0, 255),
          });
          continue;
        }
      }
      const expiry = def.expiryPath === undefined ? undefined : readConcrete(document, def.expiryPath, []);
      if (typeof expiry === 'string' && Date.parse(expiry) < now.getTime()) {
        problem('invalidValue', `${def.resource} ${id} expired at ${expiry}`);
        continue;
      }
      let item: ResourceItem | undefined;
      if (itemId !== undefined) {
        item = document.items?.find((candidate) => candidate.id === itemId);
        if (!item) {
          problem('referenceNotFound', `${def.resource} ${id} has no item ${itemId}`);
          continue;
        }
        if (def.allowedItemStates && !def.allowedItemStates.includes(item.state ?? '')) {
          problem(
            'invalidValue',
            `item ${itemId} of ${def.resource} ${id} is ${item.state ?? 'without state'} (needs: ${def.allowedItemStates.join(', ')})`,
          );
          continue;
        }
      }
      if (def.legacyPathParam !== undefined && legacyPathParams[def.legacyPathParam] === undefined) {
        if (!document.legacyRef) {
          problem('invalidValue', `${def.resource} ${id} is not known to the backend system yet`);
          continue;
        }
        legacyPathParams[def.legacyPathParam] = document.legacyRef;
      }
      found.push({
        id,
        indices: match.indices,
        index: match.indices[0],
        requestPath,
        document,
        ...(itemId !== undefined ? { itemId, item } : {}),
      });
    }
  }
  if (issues.length)
    throw new GatewayError('request.validation-failed', `${issues.length} problem(s) with referenced resources`, {
      issues,
    });
  return { bindings, legacyPathParams };
}

/** Every value a pointer with `*` wildcards reaches, with the array indices the wildcards took. */
export function expandPointer(doc: unknown, pointer: string): Array<{ value: unknown; indices: number[] }> {
  let current: Array<{ value: unknown; indices: number[] }> = [{ value: doc, indices: [] }];
  for (const raw of pointer.split('/').slice(1)) {
    const part = unescapeToken(raw);
    const next: typeof current = [];
    for (const c of current) {
      if (part === '*') {
        if (Array.isArray(c.value)) c.value.forEach((v, i) => next.push({ value: v, indices: [...c.indices, i] }));
      } else if (c.value !== null && typeof c.value === 'object') {
        const v = (c.value as Record<string, unknown>)[part];
        if (v !== undefined) next.push({ value: v, indices: c.indices });
      }
    }
    current = next;
  }
  return current;
}

/** Reads a pointer whose `*`s are replaced, in order, by the given indices. */
function readConcrete(doc: unknown, pointer: string, indices: readonly number[]): unknown {
  let n = 0;
  let cur: unknown = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw === '*' ? String(indices[n++]) : unescapeToken(raw);
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** `{i}`, `{j}`, `{k}`... in a request path become the matched indices, in order. */
function fillIndices(path: string, indices: readonly number[]): string {
  return path.replace(/\{([a-z])\}/g, (whole, letter: string) => {
    const n = letter.charCodeAt(0) - 'i'.charCodeAt(0);
    return n >= 0 && n < indices.length ? String(indices[n]) : whole;
  });
}
