import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runGateway } from './run-gateway.js';

/**
 * The product's entry point (`npm run start:product`, the image's CMD): the gateway with real backends only. A
 * configuration that asks for an in-process simulator (legacy.baseUrl `embedded`, embedded sellers) is refused at
 * start; the demo with its simulators is `npm start` (simulators/src/demo.ts).
 */
await runGateway({ rootDir: process.env.GATEWAY_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..') });
