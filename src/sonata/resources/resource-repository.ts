import type { ResourceDef } from '../../registry/registry.js';
import type { Store } from '../../state/store.js';
import type { ResourceDoc } from './apply-update.js';

export interface ListPage {
  items: ResourceDoc[];
  total: number;
}

/**
 * Where kept resources live in the store. Keys carry the owning partner, so a partner can only ever reach its
 * own documents (another partner's id is simply absent). A legacy reference index lets status reports from
 * the legacy BSS find the document they concern.
 */
export interface ResourceRepository {
  insert(def: ResourceDef, doc: ResourceDoc): Promise<void>;
  get(def: ResourceDef, partnerId: string, id: string): Promise<ResourceDoc | null>;
  update(def: ResourceDef, partnerId: string, id: string, fn: (doc: ResourceDoc) => ResourceDoc | undefined): Promise<ResourceDoc | null>;
  /** newest first; `keep` filters; offset/limit page the filtered list */
  list(
    def: ResourceDef,
    partnerId: string,
    opts: { offset: number; limit: number; keep: (doc: ResourceDoc) => boolean },
  ): Promise<ListPage>;
  linkLegacyRef(def: ResourceDef, legacyRef: string, partnerId: string, id: string): Promise<void>;
  /** links a legacy reference to a new document unless another one has it already (atomic across instances) */
  claimLegacyRef(def: ResourceDef, legacyRef: string, partnerId: string, id: string): Promise<boolean>;
  /** documents whose deadline (`def.deadline`) is at or before `until`, as `{partnerId, id, member}`, oldest first */
  dueBy(def: ResourceDef, until: Date, limit: number): Promise<Array<{ partnerId: string; id: string; member: string }>>;
  /** forgets a deadline once handled */
  dropDue(def: ResourceDef, member: string): Promise<void>;
  findByLegacyRef(def: ResourceDef, legacyRef: string): Promise<{ partnerId: string; id: string } | null>;
  /** keeps a status report for a legacy reference no document has yet (kept PARKED_TTL_MS) */
  park(def: ResourceDef, legacyRef: string, update: unknown): Promise<void>;
  /** the parked reports of a legacy reference, oldest first; they are removed */
  takeParked(def: ResourceDef, legacyRef: string): Promise<unknown[]>;
  /** true the first time a key is claimed within `ttlMs` (atomic across gateway instances), false after */
  claimOnce(key: string, ttlMs: number): Promise<boolean>;
}

/** How long a report for a not-yet-stored document is kept (the create that made it is normally done within seconds). */
export const PARKED_TTL_MS = 10 * 60_000;

export function createResourceRepository(store: Store): ResourceRepository {
  const docKey = (def: ResourceDef, partnerId: string, id: string) => `res:${def.name}:${partnerId}:${id}`;
  const indexKey = (def: ResourceDef, partnerId: string) => `idx:${def.name}:${partnerId}`;
  const refKey = (def: ResourceDef, legacyRef: string) => `ref:${def.name}:${legacyRef}`;
  const parkKey = (def: ResourceDef, legacyRef: string) => `parked:${def.name}:${legacyRef}`;
  const dueKey = (def: ResourceDef) => `due:${def.name}`;
  return {
    async insert(def, doc) {
      await store.setJson(docKey(def, doc.partnerId, doc.id), doc);
      await store.indexAdd(indexKey(def, doc.partnerId), doc.id, Date.parse(doc.createdAt));
      if (doc.legacyRef) await store.set(refKey(def, doc.legacyRef), `${doc.partnerId}\n${doc.id}`);
      // the due time lives in the store (not in a timer), so it survives restarts and any instance can act on it
      const due = def.deadline && readDue(doc, def.deadline.field);
      if (due !== undefined) await store.indexAdd(dueKey(def), `${doc.partnerId}\n${doc.id}`, due);
    },
    claimLegacyRef: (def, legacyRef, partnerId, id) => store.set(refKey(def, legacyRef), `${partnerId}\n${id}`, { ifAbsent: true }),
    async dueBy(def, until, limit) {
      const members = await store.indexRange(dueKey(def), { maxScore: until.getTime(), limit });
      return members.flatMap((member) => {
        const [partnerId, id] = member.split('\n');
        return partnerId && id ? [{ partnerId, id, member }] : [];
      });
    },
    dropDue: (def, member) => store.indexRemove(dueKey(def), member),
    get: (def, partnerId, id) => store.getJson<ResourceDoc>(docKey(def, partnerId, id)),
    update: (def, partnerId, id, fn) =>
      store.updateJson<ResourceDoc>(docKey(def, partnerId, id), (current) => (current ? fn(current) : undefined)),
    async list(def, partnerId, opts) {
      const ids = await store.indexRange(indexKey(def, partnerId), { reverse: true, limit: def.maxListScan });
      const docs = await Promise.all(ids.map((id) => store.getJson<ResourceDoc>(docKey(def, partnerId, id))));
      const kept = docs.filter((d): d is ResourceDoc => d !== null && opts.keep(d));
      return { items: kept.slice(opts.offset, opts.offset + opts.limit), total: kept.length };
    },
    async linkLegacyRef(def, legacyRef, partnerId, id) {
      await store.set(refKey(def, legacyRef), `${partnerId}\n${id}`);
    },
    async park(def, legacyRef, update) {
      await store.updateJson<unknown[]>(parkKey(def, legacyRef), (cur) => [...(cur ?? []), update].slice(-100), {
        ttlMs: PARKED_TTL_MS,
      });
    },
    async takeParked(def, legacyRef) {
      const key = parkKey(def, legacyRef);
      // read and remove in one atomic step, so two instances never replay the same reports
      for (;;) {
        const raw = await store.get(key);
        if (raw === null) return [];
        if (await store.compareAndSet(key, raw, '[]', { ttlMs: 1000 })) {
          const taken = JSON.parse(raw) as unknown[];
          await store.del(key);
          return taken;
        }
      }
    },
    claimOnce: (key, ttlMs) => store.set(`once:${key}`, '1', { ifAbsent: true, ttlMs }),
    async findByLegacyRef(def, legacyRef) {
      const v = await store.get(refKey(def, legacyRef));
      if (!v) return null;
      const [partnerId, id] = v.split('\n');
      return partnerId && id ? { partnerId, id } : null;
    },
  };
}

/** The due time (epoch ms) at a top-level field pointer of a document, when it holds a date. */
function readDue(doc: ResourceDoc, pointer: string): number | undefined {
  const value = doc[pointer.slice(1)];
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isNaN(ms) ? undefined : ms;
}
