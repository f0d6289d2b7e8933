import { randomUUID } from 'node:crypto';
import type { Store } from '../../state/store.js';

/** A request a partner made in `manual` mode: staff complete it through an internal endpoint. */
export interface WorkTask {
  id: string;
  resource: string;
  partnerId: string;
  resourceId: string;
  operationId: string;
  createdAt: string;
  status: 'open' | 'done';
  completedAt?: string;
}

export interface WorkQueue {
  add(t: Omit<WorkTask, 'id' | 'status' | 'createdAt'>, now: Date): Promise<WorkTask>;
  open(): Promise<WorkTask[]>;
  get(id: string): Promise<WorkTask | null>;
  /** marks done; false when it was not open (a second completion is refused) */
  complete(id: string, now: Date): Promise<boolean>;
}

export function createWorkQueue(store: Store): WorkQueue {
  const key = (id: string) => `task:${id}`;
  return {
    async add(t, now) {
      const task: WorkTask = { ...t, id: randomUUID(), status: 'open', createdAt: now.toISOString() };
      await store.setJson(key(task.id), task);
      await store.indexAdd('idx:tasks:open', task.id, now.getTime());
      return task;
    },
    async open() {
      const ids = await store.indexRange('idx:tasks:open', { limit: 500 });
      return (await Promise.all(ids.map((id) => store.getJson<WorkTask>(key(id))))).filter((t): t is WorkTask => t !== null);
    },
    get: (id) => store.getJson<WorkTask>(key(id)),
    async complete(id, now) {
      let changed = false;
      await store.updateJson<WorkTask>(key(id), (t) => {
        changed = false;
        if (!t || t.status !== 'open') return undefined;
        changed = true;
        return { ...t, status: 'done', completedAt: now.toISOString() };
      });
      if (changed) await store.indexRemove('idx:tasks:open', id);
      return changed;
    },
  };
}
