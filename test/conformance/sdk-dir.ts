import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The MEF Sonata SDK folder the conformance tests read (CI and dev machines: ../shared/sonata-sdk). */
export const sdkDir = process.env.SONATA_SDK_DIR ?? resolve(repoRoot, '../shared/sonata-sdk');
