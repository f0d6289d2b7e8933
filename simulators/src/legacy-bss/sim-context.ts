import type { Router } from 'express';
import { DateTime } from 'luxon';
import type { AssetStore } from './asset.js';
import type { EventJournal } from './event-journal.js';
import type { LegacyFieldReader } from './legacy-request.js';
import { LEGACY_TIME_ZONE } from './legacy-timestamp.js';
import type { LegacyBssSeedData } from './seed-data.js';
import type { WorkOrderBook } from './work-order-types.js';

export type { LegacyBssSeedData } from './seed-data.js';
export type { StatusHistoryEntry } from './seed-data.js';

/** Run-time services shared by the stateful domains of one simulator instance. */
export interface SimContext {
  readonly seed: LegacyBssSeedData;
  now(): Date;
  readonly journal: EventJournal;
  /** The installed base (seeded assets plus those orders create). */
  readonly assets: AssetStore;
  /** Next number of a kind: `ORD` -> `ORD-2026-000001` (year of the Berlin clock, counter per kind). */
  nextNumber(kind: string): string;
  /**
   * Runs `task` after `ms` unless the simulator was stopped first. Timers never keep the process
   * alive. Errors are logged, not thrown: there is no request to answer.
   */
  schedule(ms: number, task: () => void): void;
  /** Delay after which deferred feasibility checks and offers complete by themselves; `undefined`: never. */
  readonly deferredDelayMs: number | undefined;
  /** The field service: orders in provisioning and new faults open a work order there (work-order.ts). */
  workOrders?: WorkOrderBook;
}

/** Builds the numbering function of {@link SimContext.nextNumber}. */
export function createNumbering(now: () => Date): (kind: string) => string {
  const counters = new Map<string, number>();
  return (kind) => {
    const next = (counters.get(kind) ?? 0) + 1;
    counters.set(kind, next);
    const year = DateTime.fromJSDate(now(), { zone: LEGACY_TIME_ZONE }).year;
    return `${kind}-${year}-${String(next).padStart(6, '0')}`;
  };
}

/** A stateful legacy domain as the app and the `_sim` control endpoints see it. */
export interface SimDomain {
  /** Mounted under `/bss/v2/<path>`. */
  readonly path: string;
  readonly router: Router;
  /** Fields `POST /_sim/<path>/{id}/advance` accepts. */
  readonly advanceFields: readonly string[];
  /** Other back-office actions on one object (`POST /_sim/<path>/{id}/<action>`), e.g. raising a charge on an order. */
  readonly actions?: Readonly<
    Record<string, { readonly fields: readonly string[]; run(id: string, reader: LegacyFieldReader): Record<string, unknown> }>
  >;
  /** Moves one object along its lifecycle (`_sim` advance); answers like the domain's inquiry. */
  advance(id: string, reader: LegacyFieldReader): Record<string, unknown>;
  /** One automatic step for every open object (the `autoAdvanceMs` timer and `POST /_sim/tick`). */
  tick(): void;
  /** Time-based housekeeping (expiry), run before every request and every tick. */
  sweep(): void;
}
