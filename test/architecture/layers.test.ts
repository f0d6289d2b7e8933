import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The folders of src/ in layers, lowest first (docs/architecture.md "Layers"). A file may import from its own folder
 * and from folders of LOWER layers only: never upwards, never sideways into another folder of its own layer. Type
 * imports count: a type import upwards couples the modules as much as a value import. `(root)` is src/*.ts (the
 * composition root and the entry point).
 */
const LAYERS: readonly (readonly string[])[] = [
  ['json'],
  ['errors', 'outbound', 'validation', 'state'],
  ['config'],
  ['observability'],
  ['mapping'],
  ['registry'],
  ['conformance'],
  ['legacy', 'proxy', 'auth', 'notify'],
  ['sonata'],
  ['pipeline'],
  ['buyer'],
  ['console'],
  ['cli'],
  ['(root)'],
];

const SRC = join(import.meta.dirname, '../../src');
const SIMULATORS = join(import.meta.dirname, '../../simulators');
/** any import or re-export specifier, relative or a package name */
const ANY_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
}

function folderOf(file: string): string {
  const parts = relative(SRC, file).split(sep);
  return parts.length > 1 ? parts[0]! : '(root)';
}

/** Each file's relative imports, resolved to files of src/ (`.js` specifiers name the `.ts` source). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const targets: string[] = [];
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      targets.push(normalize(join(dirname(file), m[1]!)).replace(/\.js$/, '.ts'));
    }
    graph.set(file, targets);
  }
  return graph;
}

function layerOf(folder: string): number {
  const i = LAYERS.findIndex((layer) => layer.includes(folder));
  return i;
}

describe('src/ layers (docs/architecture.md "Layers")', () => {
  const graph = importGraph();

  it('every folder of src/ has a layer', () => {
    const folders = new Set([...graph.keys()].map(folderOf));
    expect([...folders].filter((f) => layerOf(f) < 0)).toEqual([]);
  });

  it('no import goes upwards or sideways between folders', () => {
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      const from = folderOf(file);
      for (const target of targets) {
        const to = folderOf(target);
        if (to !== from && layerOf(to) >= layerOf(from))
          wrong.push(`${relative(SRC, file)} -> ${relative(SRC, target)} (${from} may not import ${to})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('no cycle between files (type imports included)', () => {
    // Tarjan's strongly connected components over the file graph
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    let next = 0;
    const visit = (v: string): void => {
      index.set(v, next);
      low.set(v, next++);
      stack.push(v);
      onStack.add(v);
      for (const w of graph.get(v) ?? []) {
        if (!graph.has(w)) continue;
        if (!index.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
      if (low.get(v) === index.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(relative(SRC, w));
        } while (w !== v);
        if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
      }
    };
    for (const file of graph.keys()) if (!index.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });

  it('the check sees imports of every form (a guard against a regex that silently matches nothing)', () => {
    const edges = [...graph.values()].reduce((n, targets) => n + targets.length, 0);
    expect(edges).toBeGreaterThan(500);
    const gateway = graph.get(join(SRC, 'gateway.ts')) ?? [];
    expect(gateway.map((t) => relative(SRC, t))).toEqual(expect.arrayContaining(['pipeline/create-app.ts', 'registry/registry-holder.ts']));
  });

  it('nothing in src/ imports the simulators workspace (simulators/, type imports included): the product ships without it', () => {
    const wrong: string[] = [];
    let seen = 0;
    for (const file of sourceFiles(SRC)) {
      for (const m of readFileSync(file, 'utf8').matchAll(ANY_IMPORT)) {
        seen++;
        const spec = m[1]!;
        const target = spec.startsWith('.') ? normalize(join(dirname(file), spec)) : undefined;
        if (spec.startsWith('@sonata-gateway/simulators') || (target && !relative(SIMULATORS, target).startsWith('..')))
          wrong.push(`${relative(SRC, file)} -> ${spec}`);
      }
    }
    expect(seen).toBeGreaterThan(500);
    expect(wrong).toEqual([]);
  });

  it('docs/architecture.md lists these layers', () => {
    const doc = readFileSync(join(import.meta.dirname, '../../docs/architecture.md'), 'utf8');
    const section = doc.split('\n## Layers\n')[1]?.split('\n## ')[0] ?? '';
    const documented = section
      .split('\n')
      .map((line) => /^\d+\. (.+)$/.exec(line)?.[1])
      .filter((x): x is string => !!x)
      .map((line) => [...line.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
    expect(documented).toEqual(LAYERS.map((layer) => [...layer]));
  });
});
