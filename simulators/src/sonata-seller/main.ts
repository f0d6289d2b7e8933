/**
 * Standalone simulated Sonata seller: `node dist/simulators/src/sonata-seller/main.js`.
 * Environment: SELLER_RELEASE (billie|grace|kylie, default grace), SELLER_PORT (8095), SELLER_HOST (127.0.0.1),
 * SELLER_CLIENT_ID + SELLER_CLIENT_SECRET (the buyer allowed to get tokens, required), SELLER_STRICT_SDK_DIR (strict
 * mode when set), SELLER_COUNTRIES (comma list), SELLER_CURRENCY, SELLER_ID_PREFIX, SELLER_AUTO_ADVANCE_MS,
 * SELLER_NOTIFY_TOKEN_URL + SELLER_NOTIFY_CLIENT_ID + SELLER_NOTIFY_CLIENT_SECRET (how it authenticates to listeners).
 */
import { startSonataSeller } from './start-sonata-seller.js';

const env = process.env;
const clientId = env.SELLER_CLIENT_ID;
const clientSecret = env.SELLER_CLIENT_SECRET;
if (!clientId || !clientSecret) {
  process.stderr.write('SELLER_CLIENT_ID and SELLER_CLIENT_SECRET are required\n');
  process.exit(2);
}
const release = env.SELLER_RELEASE === 'kylie' || env.SELLER_RELEASE === 'billie' ? env.SELLER_RELEASE : 'grace';
const seller = await startSonataSeller({
  release,
  clients: [{ clientId, clientSecret }],
  port: Number(env.SELLER_PORT ?? 8095),
  host: env.SELLER_HOST ?? '127.0.0.1',
  strict: env.SELLER_STRICT_SDK_DIR ? { sdkDir: env.SELLER_STRICT_SDK_DIR } : undefined,
  countries: env.SELLER_COUNTRIES ? env.SELLER_COUNTRIES.split(',').map((c) => c.trim().toUpperCase()) : undefined,
  currency: env.SELLER_CURRENCY,
  idPrefix: env.SELLER_ID_PREFIX,
  autoAdvanceMs: Number(env.SELLER_AUTO_ADVANCE_MS ?? 0),
  notificationAuth:
    env.SELLER_NOTIFY_TOKEN_URL && env.SELLER_NOTIFY_CLIENT_ID && env.SELLER_NOTIFY_CLIENT_SECRET
      ? {
          tokenUrl: env.SELLER_NOTIFY_TOKEN_URL,
          clientId: env.SELLER_NOTIFY_CLIENT_ID,
          clientSecret: env.SELLER_NOTIFY_CLIENT_SECRET,
        }
      : undefined,
});
process.stdout.write(`simulated ${release} seller listening on ${seller.url}\n`);
const stop = () => void seller.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
