/** Setup shared by the seller tests under test/sonata: a gateway with the demo partners' tokens, notifications read in order. */
import type { ReceivedCall, TestListener } from '../notify/support.js';
import { startTestGateway, type TestGateway } from './test-gateway.js';

/** A test gateway and the tokens of acme-telecom (Grace) and globex-networks (Kylie). */
export async function startGatewayWithTokens(): Promise<{ gw: TestGateway; acme: string; globex: string }> {
  const gw = await startTestGateway();
  return { gw, acme: await gw.token('acme'), globex: await gw.token('globex') };
}

/** Reads listeners' notifications in arrival order: `next` gives the next `n` (waiting for them, event-driven, bounded). */
export function notificationReader(timeoutMs = 10_000): {
  next(listener: TestListener, n: number): Promise<ReceivedCall[]>;
  /** how many of the listener's notifications `next` has given so far */
  seen(listener: TestListener): number;
} {
  const seen = new Map<TestListener, number>();
  return {
    async next(listener, n) {
      const from = seen.get(listener) ?? 0;
      const calls = await listener.waitForCalls(from + n, timeoutMs);
      seen.set(listener, from + n);
      return calls.slice(from, from + n);
    },
    seen: (listener) => seen.get(listener) ?? 0,
  };
}
