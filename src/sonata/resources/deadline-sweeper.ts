import { randomUUID } from 'node:crypto';
import { GatewayError } from '../../errors/catalogue.js';
import type { LegacyClient } from '../../legacy/legacy-client.js';
import type { Logger } from '../../observability/logger.js';
import type { RegistryHolder } from '../../registry/registry-holder.js';
import type { PartnerDef, Registry, ResourceDef } from '../../registry/registry.js';
import type { Store } from '../../state/store.js';
import { evaluateMapping } from '../operation-context.js';
import { applyUpdate, type ResourceUpdate } from './apply-update.js';
import { legacyPathParams } from './resource-operations.js';
import { publishStateEvents, watchedFields, type EventPublisher } from './resource-events.js';
import type { ResourceRepository } from './resource-repository.js';
import { memberOf } from '../../json/unknown-values.js';

/** How often the gateway looks for passed deadlines (a charge's responseDueDate is met within this). */
export const DEADLINE_SWEEP_MS = 15_000;
/** How long one instance holds a due document it claimed; a crashed holder's claim lapses and another retries. */
const CLAIM_TTL_MS = 60_000;
const BATCH = 100;

export interface DeadlineSweeper {
  /** applies every deadline passed at `at` (default: now); resolves to the number of documents changed */
  sweepOnce(at?: Date): Promise<number>;
  start(): void;
  stop(): void;
}

/**
 * Applies what a kept resource's `deadline` says when its time passes (a charge unanswered by its responseDueDate
 * times out). The due times live in the store (`ResourceRepository.dueBy`), so they survive restarts; each due
 * document is claimed with an atomic set-if-absent first, so with several gateway instances exactly one acts on it.
 * The legacy BSS is told first (`deadline.backend`); if it cannot be reached the document is left for the next
 * sweep. A document that left `whileStates` in time is just forgotten.
 */
export function createDeadlineSweeper(opts: {
  registry: RegistryHolder;
  store: Store;
  resources: ResourceRepository;
  events: EventPublisher;
  legacy: LegacyClient;
  logger: Logger;
  now: () => Date;
  intervalMs?: number;
}): DeadlineSweeper {
  const instance = randomUUID();
  let timer: NodeJS.Timeout | undefined;

  const sweepOnce = async (at: Date = opts.now()): Promise<number> => {
    const registry = opts.registry.current();
    let changed = 0;
    for (const def of registry.resources.values()) {
      if (!def.deadline) continue;
      for (const due of await opts.resources.dueBy(def, at, BATCH)) {
        const claim = `claim:due:${def.name}:${due.member}`;
        if (!(await opts.store.set(claim, instance, { ifAbsent: true, ttlMs: CLAIM_TTL_MS }))) continue;
        try {
          if (await expire(registry, def, due.partnerId, due.id, at)) changed++;
          await opts.resources.dropDue(def, due.member);
        } catch (err) {
          opts.logger.warn('deadline not applied; retried at the next sweep', {
            resource: def.name,
            id: due.id,
            error: String(memberOf(err, 'message') ?? err),
          });
        } finally {
          await opts.store.compareAndSet(claim, instance, '', { ttlMs: 1 }).catch(() => undefined);
        }
      }
    }
    return changed;
  };

  const expire = async (registry: Registry, def: ResourceDef, partnerId: string, id: string, at: Date): Promise<boolean> => {
    const deadline = def.deadline!;
    const doc = await opts.resources.get(def, partnerId, id);
    if (!doc || !deadline.whileStates.includes(doc.state)) return false;
    const partner = registry.partners.get(partnerId) ?? ({ id: partnerId, lookups: registry.sharedLookups } as unknown as PartnerDef);
    const bindings = { partnerId, customerId: partner.legacyCustomerId, now: at.toISOString(), resource: doc };
    const update = (await evaluateMapping(deadline.update, doc, bindings, partner)) as ResourceUpdate;
    const op = deadline.backend ? registry.legacy.get(deadline.backend) : undefined;
    if (op) {
      const body = op.request ? await evaluateMapping(op.request, update, bindings, partner) : undefined;
      try {
        await opts.legacy.call(op, {
          pathParams: legacyPathParams(doc),
          body,
          requestId: `deadline-${instance}`,
          logger: opts.logger,
        });
      } catch (err) {
        // the BSS refused (the charge was settled there meanwhile): its own status report tells the outcome
        if (!(err instanceof GatewayError) || err.status >= 500) throw err;
        opts.logger.warn('the legacy BSS refused the deadline default; left to its status reports', {
          resource: def.name,
          id,
          error: err.message,
        });
        return false;
      }
    }
    let events: ReturnType<typeof applyUpdate>['events'] = [];
    await opts.resources.update(def, partnerId, id, (current) => {
      // answered meanwhile (a PATCH that won the race): the answer stands
      if (!deadline.whileStates.includes(current.state)) return undefined;
      const applied = applyUpdate(current, update, at.toISOString(), watchedFields(def));
      events = applied.events;
      return applied.doc;
    });
    await publishStateEvents(opts.events, def, partnerId, events, opts.logger);
    opts.logger.info('deadline passed', { resource: def.name, id, state: update.state });
    return events.length > 0;
  };

  return {
    sweepOnce,
    start() {
      const tick = () => {
        timer = setTimeout(() => {
          sweepOnce()
            .catch((err: unknown) =>
              opts.logger.warn('deadline sweep failed; retrying next round', {
                error: String(memberOf(err, 'message') ?? err),
              }),
            )
            .finally(tick);
        }, opts.intervalMs ?? DEADLINE_SWEEP_MS);
        timer.unref();
      };
      tick();
    },
    stop() {
      clearTimeout(timer);
    },
  };
}
