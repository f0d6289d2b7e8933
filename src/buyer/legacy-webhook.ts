/**
 * Delivery of seller notifications to the legacy BSS's webhook, signed the way the BSS signs its own callbacks to
 * us (`X-Gateway-Signature: sha256=<hex HMAC-SHA256 of the exact body>`), so it can tell them from forgeries.
 * Used as the `send` of a delivery queue, which retries until a 2xx (at least once).
 */
import { createHmac } from 'node:crypto';
import { Agent, request } from 'undici';
import { DeliveryError, type Delivery } from '../notify/delivery-queue.js';
import { injectTraceHeaders, inSpan, SpanKind } from '../observability/spans.js';

/** Header carrying the body's HMAC. */
export const WEBHOOK_SIGNATURE_HEADER = 'x-gateway-signature';
/** Header carrying the event id (the same on every redelivery, for de-duplication). */
export const WEBHOOK_EVENT_HEADER = 'x-gateway-event-id';

/** Options of {@link createLegacyWebhookSender}. */
export interface LegacyWebhookSenderOptions {
  /** HMAC key; absent = unsigned */
  secret?: string;
  timeoutMs: number;
}

/** `sha256=<hex>` of the body, as sent in {@link WEBHOOK_SIGNATURE_HEADER}. */
export function signWebhookBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** A delivery-queue sender: POSTs the JSON body with keep-alive; resolves on 2xx, rejects otherwise. */
export function createLegacyWebhookSender(opts: LegacyWebhookSenderOptions): {
  send(d: Delivery): Promise<void>;
  close(): Promise<void>;
} {
  const agent = new Agent({
    keepAliveTimeout: 30_000,
    connect: { timeout: opts.timeoutMs },
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
  });
  return {
    // a CLIENT span in the delivery attempt's trace (the seller notification's request), sent on as `traceparent`
    send: (d) =>
      inSpan(
        'legacy webhook POST',
        { 'http.request.method': 'POST', 'sonata.event_type': d.eventType },
        async (span) => {
          const body = JSON.stringify(d.body);
          const res = await request(d.url, {
            method: 'POST',
            dispatcher: agent,
            headers: injectTraceHeaders({
              'content-type': 'application/json',
              [WEBHOOK_EVENT_HEADER]: d.eventId,
              ...(opts.secret && { [WEBHOOK_SIGNATURE_HEADER]: signWebhookBody(body, opts.secret) }),
            }),
            body,
            signal: AbortSignal.timeout(opts.timeoutMs),
          });
          span.setAttribute('http.response.status_code', res.statusCode);
          await res.body.dump().catch(() => undefined);
          if (res.statusCode < 200 || res.statusCode > 299)
            throw new DeliveryError(`legacy webhook answered ${res.statusCode}`, { status: res.statusCode });
        },
        SpanKind.CLIENT,
      ),
    close: () => agent.close(),
  };
}
