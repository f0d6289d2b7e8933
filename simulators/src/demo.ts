import { join } from 'node:path';
import { runGateway } from '../../src/run-gateway.js';

/**
 * The demo's entry point (`npm start`, `.ci/conformance`): the gateway with the simulated legacy BSS and partner
 * sellers in its own process (demo-backends.ts), as the demo and test configurations ask (`embedded`). Run from
 * dist/simulators/src/demo.js; the project root is three folders up (or GATEWAY_ROOT).
 */
await runGateway({
  rootDir: process.env.GATEWAY_ROOT ?? join(import.meta.dirname, '..', '..', '..'),
  backends: async () => (await import('./demo-backends.js')).demoBackends,
});
