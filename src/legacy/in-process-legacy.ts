/**
 * A legacy BSS started in this process: config `legacy.baseUrl: embedded` (demo and tests). The product ships none;
 * the demo entry point (simulators/src/demo.ts) supplies the simulated one.
 */
export interface InProcessLegacyOptions {
  apiKey: string;
  /** where it sends status callbacks (the gateway's address is known once it listens) */
  callbackUrl?: () => string | undefined;
  callbackSecret?: string;
  autoAdvanceMs?: number;
  deferredDelayMs?: number;
}

export interface InProcessLegacy {
  /** the origin it listens on (loopback, a free port) */
  readonly url: string;
  close(): Promise<void>;
}

export type StartInProcessLegacy = (opts: InProcessLegacyOptions) => Promise<InProcessLegacy>;

/** What to tell an operator whose configuration asks for a backend in process when none is supplied. */
export const RUN_THE_DEMO =
  'an in-process simulator is demo-only and the product ships none: run the demo (`npm start`, simulators/src/demo.ts) or configure a real backend';
