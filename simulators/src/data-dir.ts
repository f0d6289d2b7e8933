import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The simulated legacy BSS's shipped seed data (simulators/data/legacy-bss), found from this module whether it runs
 * from its source (simulators/src) or built (dist/simulators/src), whatever the working directory.
 */
export function legacyBssSeedDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    for (const candidate of [join(dir, 'data', 'legacy-bss'), join(dir, 'simulators', 'data', 'legacy-bss')]) {
      if (existsSync(join(candidate, 'addresses.yaml'))) return candidate;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`simulators/data/legacy-bss not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}
