// Runs the demo legacy BSS's billing of the current month (its `_sim` control, as docs/walkthrough.md "Receive and
// read a bill" does by hand) after the inventory seed, so the billing conformance cases have a bill to read instead
// of skipping. The embedded BSS listens on a port of its own, named in the gateway's start log.
// Usage: node .ci/run-demo-billing.mjs GATEWAY_LOG ENV_FILE
import { readFileSync } from 'node:fs';

const [logFile, envFile] = process.argv.slice(2);
const started = readFileSync(logFile, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => {
    try {
      return JSON.parse(line);
    } catch {
      return {};
    }
  })
  .find((entry) => entry.message === 'embedded legacy BSS simulator started');
if (!started?.url) {
  console.error(`ci: ${logFile} names no embedded legacy BSS`);
  process.exit(1);
}
const key = /^LEGACY_BSS_API_KEY=(.*)$/m.exec(readFileSync(envFile, 'utf8'))?.[1];
const res = await fetch(`${started.url}/bss/v2/_sim/bills/run`, {
  method: 'POST',
  headers: { 'X-BSS-Api-Key': key ?? '', 'content-type': 'application/json' },
  body: '{}',
});
const body = await res.json().catch(() => ({}));
if (!res.ok || !Array.isArray(body.BILLS) || body.BILLS.length === 0) {
  console.error(`ci: the demo BSS's billing run answered ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  process.exit(1);
}
console.log(`ci: the demo BSS issued ${body.BILLS.length} bill(s) for the month`);
