/**
 * Signatures of partner-bound notifications, as the Standard Webhooks specification defines them
 * (https://www.standardwebhooks.com): `webhook-id` (the same on every retry, for de-duplication),
 * `webhook-timestamp` (seconds since the epoch, of this attempt) and `webhook-signature`: `v1,<base64 HMAC-SHA256
 * of "<id>.<timestamp>.<body>">` keyed with the base64-decoded part of a `whsec_<base64>` secret; one signature per
 * active secret, space-separated, so a partner can rotate without missing a notification.
 */
import { createHmac } from 'node:crypto';

export const WEBHOOK_ID_HEADER = 'webhook-id';
export const WEBHOOK_TIMESTAMP_HEADER = 'webhook-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'webhook-signature';

const PREFIX = 'whsec_';

/**
 * The key bytes of a `whsec_<base64>` secret, or a problem: the specification asks for 24 to 64 random bytes.
 * Used at load time, so a malformed secret stops the start with the partner file's line.
 */
export function parseWebhookSecret(secret: string): { key: Buffer } | { problem: string } {
  if (!secret.startsWith(PREFIX)) return { problem: `must start with ${PREFIX} (Standard Webhooks)` };
  const b64 = secret.slice(PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) return { problem: `must be ${PREFIX} followed by standard base64` };
  const key = Buffer.from(b64, 'base64');
  if (key.length < 24 || key.length > 64) return { problem: `must encode 24 to 64 bytes (has ${key.length})` };
  return { key };
}

/** The three headers of one attempt; without secrets only id and timestamp (an unsigned delivery). */
export function webhookHeaders(id: string, timestampSeconds: number, body: string, secrets: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {
    [WEBHOOK_ID_HEADER]: id,
    [WEBHOOK_TIMESTAMP_HEADER]: String(timestampSeconds),
  };
  const signatures = secrets.map((s) => {
    const parsed = parseWebhookSecret(s);
    // secrets are checked when the registry loads; a bad one here is a programming error, never sent half-signed
    if ('problem' in parsed) throw new Error(`invalid webhook signing secret: ${parsed.problem}`);
    return `v1,${createHmac('sha256', parsed.key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
  });
  if (signatures.length) headers[WEBHOOK_SIGNATURE_HEADER] = signatures.join(' ');
  return headers;
}
