/**
 * The gateway's view of a Sonata resource it keeps (quote, order, POQ, ticket...): a unified-model document
 * plus state history. Pure functions here; storage and notifications are elsewhere.
 */
export interface StateChange {
  state: string;
  changeDate: string;
  changeReason?: string;
}

export interface ResourceItem {
  id: string;
  state?: string;
  stateChange?: StateChange[];
  legacyRef?: string;
  [field: string]: unknown;
}

export interface ResourceDoc {
  id: string;
  partnerId: string;
  resource: string;
  state: string;
  stateChange: StateChange[];
  createdAt: string;
  updatedAt: string;
  legacyRef?: string;
  items?: ResourceItem[];
  /** sequence of the last source report applied (see ResourceUpdate.sequence) */
  lastSequence?: number;
  [field: string]: unknown;
}

/** What a legacy status report, a staff task completion or an action changes. */
export interface ResourceUpdate {
  /**
   * order of the report at its source (the legacy BSS's event sequence): a report older than the last one
   * applied to the document is ignored, so a replayed or late report never moves a document backwards
   */
  sequence?: number;
  state?: string;
  changeReason?: string;
  /** other unified fields to set (shallow merge; null removes) */
  fields?: Record<string, unknown>;
  items?: Array<{
    id?: string;
    legacyRef?: string;
    state?: string;
    changeReason?: string;
    fields?: Record<string, unknown>;
  }>;
}

/** A state change the update caused, for notifications. */
export interface StateEvent {
  /**
   * itemField: an item field was set or changed (`field`), `state` is then the item's state; latestItemField: the
   * latest value of that field over all items (Billie's order expectedCompletionDate) changed
   */
  kind: 'state' | 'itemState' | 'itemField' | 'latestItemField' | 'created';
  resourceId: string;
  itemId?: string;
  state: string;
  field?: string;
  at: string;
}

/** Builds the first version of a document from a mapping's output: ids, states and histories filled in. */
export function createResourceDoc(
  input: Record<string, unknown>,
  meta: { id: string; partnerId: string; resource: string; now: string; initialState?: string },
): ResourceDoc {
  const state = typeof input.state === 'string' ? input.state : (meta.initialState ?? 'acknowledged');
  const items = Array.isArray(input.items)
    ? (input.items as Array<Record<string, unknown>>).map((it, i) => {
        const itemState = typeof it.state === 'string' ? it.state : state;
        return {
          ...it,
          id: String(it.id ?? i + 1),
          state: itemState,
          stateChange: [{ state: itemState, changeDate: meta.now }],
        } as ResourceItem;
      })
    : undefined;
  return {
    ...input,
    id: meta.id,
    partnerId: meta.partnerId,
    resource: meta.resource,
    state,
    stateChange: [{ state, changeDate: meta.now }],
    createdAt: meta.now,
    updatedAt: meta.now,
    ...(items ? { items } : {}),
  };
}

/**
 * Applies an update: sets fields, moves states (appending to stateChange only when the state really changes)
 * and reports the state events. Items are matched by id or legacyRef; unknown items are ignored (reported
 * in `unmatchedItems`) rather than invented.
 */
export function applyUpdate(
  doc: ResourceDoc,
  update: ResourceUpdate,
  now: string,
  /** item fields whose setting or change is an event of its own (`itemField`), e.g. expectedCompletionDate */
  opts: { watchItemFields?: readonly string[] } = {},
): { doc: ResourceDoc; events: StateEvent[]; unmatchedItems: number } {
  const events: StateEvent[] = [];
  if (update.sequence !== undefined && doc.lastSequence !== undefined && update.sequence <= doc.lastSequence) {
    return { doc, events, unmatchedItems: 0 };
  }
  const next: ResourceDoc = {
    ...doc,
    updatedAt: now,
    ...(update.sequence !== undefined ? { lastSequence: update.sequence } : {}),
  };
  if (update.fields) mergeFields(next, update.fields);
  if (update.state && update.state !== doc.state) {
    next.state = update.state;
    next.stateChange = [
      ...doc.stateChange,
      { state: update.state, changeDate: now, ...(update.changeReason ? { changeReason: update.changeReason } : {}) },
    ];
    events.push({ kind: 'state', resourceId: doc.id, state: update.state, at: now });
  }
  let unmatchedItems = 0;
  if (update.items?.length && doc.items) {
    const items = doc.items.map((it) => ({ ...it }));
    for (const u of update.items) {
      const item = items.find(
        (it) => (u.id !== undefined && it.id === u.id) || (u.legacyRef !== undefined && it.legacyRef === u.legacyRef),
      );
      if (!item) {
        unmatchedItems++;
        continue;
      }
      if (u.fields) {
        const before = { ...item };
        mergeFields(item, u.fields);
        for (const field of opts.watchItemFields ?? []) {
          if (field in u.fields && item[field] !== undefined && !sameValue(before[field], item[field])) {
            events.push({
              kind: 'itemField',
              resourceId: doc.id,
              itemId: item.id,
              state: u.state ?? item.state ?? next.state,
              field,
              at: now,
            });
          }
        }
      }
      if (u.state && u.state !== item.state) {
        item.state = u.state;
        item.stateChange = [
          ...(item.stateChange ?? []),
          { state: u.state, changeDate: now, ...(u.changeReason ? { changeReason: u.changeReason } : {}) },
        ];
        events.push({ kind: 'itemState', resourceId: doc.id, itemId: item.id, state: u.state, at: now });
      }
    }
    for (const field of opts.watchItemFields ?? []) {
      const before = latestOf(doc.items, field);
      const after = latestOf(items, field);
      if (after !== undefined && after !== before)
        events.push({ kind: 'latestItemField', resourceId: doc.id, state: next.state, field, at: now });
    }
    next.items = items;
  }
  return { doc: next, events, unmatchedItems };
}

const PROTECTED = new Set(['id', 'partnerId', 'resource', 'state', 'stateChange', 'createdAt', 'items', 'lastSequence']);

/** The latest (greatest) string value of an item field, e.g. the date the last item is expected. */
function latestOf(items: readonly ResourceItem[], field: string): string | undefined {
  const values = items
    .map((it) => it[field])
    .filter((v): v is string => typeof v === 'string')
    .sort();
  return values.at(-1);
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

function mergeFields(target: Record<string, unknown>, fields: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(fields)) {
    if (PROTECTED.has(k)) continue;
    if (v === null) delete target[k];
    else target[k] = v;
  }
}
