import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KINDS } from '../../src/sonata/kinds.js';

/** The per-kind table of docs/architecture.md ("Operation kinds") is what `KINDS` in src/sonata/kinds.ts runs. */
function documentedKinds(): Map<string, string> {
  const doc = readFileSync(new URL('../../docs/architecture.md', import.meta.url), 'utf8');
  const section = doc.split('\n## Operation kinds\n')[1]?.split('\n## ')[0] ?? '';
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const m = /^\| `([A-Za-z]+)` \| `([A-Za-z]+)` \|/.exec(line);
    if (m) rows.set(m[1]!, m[2]!);
  }
  return rows;
}

describe('docs/architecture.md "Operation kinds"', () => {
  it('lists every kind of kinds.ts once, with the function that runs it', () => {
    const documented = documentedKinds();
    expect([...documented.keys()].sort()).toEqual(Object.keys(KINDS).sort());
    for (const [kind, runner] of documented) expect(KINDS[kind as keyof typeof KINDS].name, kind).toBe(runner);
  });
});
