#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm install` (prepare) or `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist', 'src', 'cli', 'main.js');
if (!existsSync(compiled)) {
  process.stderr.write('sonata-gateway: dist/ is missing; run `npm run build` first\n');
  process.exit(2);
}
const { runCli } = await import(pathToFileURL(compiled).href);
process.exitCode = await runCli(process.argv.slice(2));
