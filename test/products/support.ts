import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SDK_DIR = process.env.SONATA_SDK_DIR ?? resolve(REPO_ROOT, '../shared/sonata-sdk');
export const PRODUCTS_DIR = join(REPO_ROOT, 'mappings/products');
export const DEMO_CATALOG = join(PRODUCTS_DIR, 'demo-catalog.yaml');
export const DEMO_SCHEMAS = join(PRODUCTS_DIR, 'schemas');
export const GRACE_CATALOG = join(PRODUCTS_DIR, 'grace-sdk-catalog.yaml');
export const GRACE_SCHEMAS = join(SDK_DIR, 'grace/productSchema');
export const BILLIE_CATALOG = join(PRODUCTS_DIR, 'billie-sdk-catalog.yaml');
export const BILLIE_SCHEMAS = join(SDK_DIR, 'billie/productSchema');

const trees: string[] = [];

/** Writes `files` (relative path -> text) under a fresh temporary folder and returns that folder. */
export function writeTree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'products-'));
  trees.push(root);
  for (const [rel, text] of Object.entries(files)) {
    const file = join(root, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return root;
}

/** Runs `fn`, which must throw, and returns the error it threw. */
export function thrownBy(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

/** Deletes the folders writeTree made (call from afterAll). */
export function removeTrees(): void {
  for (const root of trees.splice(0)) rmSync(root, { recursive: true, force: true });
}
