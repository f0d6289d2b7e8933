import { randomUUID } from 'node:crypto';
import type { LegacyClient } from '../../legacy/legacy-client.js';
import type { Logger } from '../../observability/logger.js';
import type { RegistryHolder } from '../../registry/registry-holder.js';
import type { Store } from '../../state/store.js';
import { evaluateMapping } from '../operation-context.js';
import { memberOf } from '../../json/unknown-values.js';

export interface LegacyPoller {
  /** one round over every partner's journal; resolves to the number of events handed to `apply` */
  pollOnce(): Promise<number>;
  start(): void;
  stop(): void;
}

/**
 * Polls the legacy BSS's event journal (legacy operation `events.journal`) for every partner with a customer
 * number, and hands each event to `apply` (the same path as a callback, so duplicates are harmless). The
 * position per customer is kept in the store and a short lock lets only one gateway instance poll a round.
 */
export function createLegacyPoller(opts: {
  registry: RegistryHolder;
  legacy: LegacyClient;
  store: Store;
  logger: Logger;
  intervalMs: number;
  apply: (event: unknown) => Promise<unknown>;
}): LegacyPoller {
  const instance = randomUUID();
  let timer: NodeJS.Timeout | undefined;
  let running = false;

  const pollOnce = async (): Promise<number> => {
    const registry = opts.registry.current();
    const op = registry.legacy.get('events.journal');
    if (!op) return 0;
    // one round at a time across instances (positions are shared); the TTL only bounds a crashed holder
    if (!(await opts.store.set('lock:legacy-poll', instance, { ifAbsent: true, ttlMs: 60_000 }))) return 0;
    try {
      return await pollRound(registry, op);
    } finally {
      // release only our own lock (a conditional delete: it may have expired and been taken by another instance)
      await opts.store.compareAndSet('lock:legacy-poll', instance, '', { ttlMs: 1 }).catch(() => undefined);
    }
  };

  const pollRound = async (
    registry: ReturnType<RegistryHolder['current']>,
    op: NonNullable<ReturnType<ReturnType<RegistryHolder['current']>['legacy']['get']>>,
  ): Promise<number> => {
    let handed = 0;
    for (const partner of registry.partners.values()) {
      const customerId = partner.legacyCustomerId;
      if (!customerId) continue;
      const key = `poll:legacy:${customerId}`;
      for (let page = 0; page < 20; page++) {
        const since = (await opts.store.get(key)) ?? '0';
        const answer = await opts.legacy.call(op, {
          pathParams: { customerId, since },
          requestId: `poll-${instance}`,
          logger: opts.logger,
        });
        const out = (
          op.response ? await evaluateMapping(op.response, answer, {}, { lookups: registry.sharedLookups } as never) : answer
        ) as { events?: unknown[]; next?: number; more?: boolean };
        for (const event of out.events ?? []) {
          await opts.apply(event);
          handed++;
        }
        if (typeof out.next === 'number') await opts.store.set(key, String(out.next));
        if (!out.more) break;
      }
    }
    return handed;
  };

  return {
    pollOnce,
    start() {
      const tick = () => {
        timer = setTimeout(async () => {
          if (!running) {
            running = true;
            try {
              const n = await pollOnce();
              if (n) opts.logger.info('legacy journal polled', { events: n });
            } catch (err) {
              opts.logger.warn('legacy journal poll failed; retrying next round', {
                error: String(memberOf(err, 'message') ?? err),
              });
            } finally {
              running = false;
            }
          }
          tick();
        }, opts.intervalMs);
        timer.unref();
      };
      tick();
    },
    stop() {
      clearTimeout(timer);
    },
  };
}
