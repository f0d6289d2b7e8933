import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import type { compileJsonata, CompiledExpression, EvaluationBudget } from '../../src/mapping/compiler/index.js';
import { createMappingEngine } from '../../src/mapping/engine.js';
import type { JsonataNode } from '../../src/mapping/evaluation-context.js';
import { MappingError } from '../../src/mapping/errors.js';
import { collectNodes, nodeField } from '../../src/mapping/jsonata-ast.js';

/*
 * The engine's side of compiled evaluation (budget, slice, fallback, output), tested with hand-written stand-ins
 * for compiled expressions: what they do to the budget is spelled out here, so these tests do not depend on how
 * the compiler (tested on its own and in engine.test.ts / engine-equivalence.test.ts) instruments its code.
 */

type Evaluate = CompiledExpression['evaluate'];

function fakeCompiler(table: Record<string, Evaluate>): {
  compiler: typeof compileJsonata;
  compiles: string[];
  runs: string[];
  functions: () => readonly { name: string; implementation: (...a: never[]) => unknown }[];
} {
  const compiles: string[] = [];
  const runs: string[] = [];
  let functions: readonly { name: string; implementation: (...a: never[]) => unknown }[] = [];
  const compiler: typeof compileJsonata = (source, options) => {
    compiles.push(source);
    functions = options?.functions ?? [];
    const evaluate = table[source];
    if (evaluate === undefined) return { ok: false, reason: `no stand-in for ${source}` };
    return {
      ok: true,
      expression: { evaluate: (input, bindings, budget) => (runs.push(source), evaluate(input, bindings, budget)) },
    };
  };
  return { compiler, compiles, runs, functions: () => functions };
}

/** A node of the real AST of `source`: errors are located by it. */
function nodeOf(source: string, pick: (node: JsonataNode) => boolean): JsonataNode {
  const found = collectNodes(jsonata(source).ast()).find(pick);
  if (!found) throw new Error('node not found');
  return found;
}

function spin(budget: EvaluationBudget | undefined, node: JsonataNode): never {
  for (;;) budget!.tick(node);
}

async function failure(promise: Promise<unknown>): Promise<MappingError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(MappingError);
    return err as MappingError;
  }
  throw new Error('expected a failure');
}

function startTicker(): { readonly ticks: number; stop(): void } {
  let ticks = 0;
  let running = true;
  const tick = (): void => {
    ticks++;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  return {
    get ticks() {
      return ticks;
    },
    stop: () => void (running = false),
  };
}

const SUM = '$sum([1..n].($ * 2))';
const RUNAWAY = '($loop := function($n) { $loop($n + 1) }; $loop(0))';
const DEPTH = ['(', '  $depth := function($n) {', '    $n <= 0 ? 0 : 1 + $depth($n - 1)', '  };', '  $depth(levels)', ')'].join('\n');

describe('compiled evaluation in the engine', () => {
  it('runs the compiled code, once per evaluation, and returns a plain result without copying it', async () => {
    const produced = { total: 6, items: [{ id: 'a' }] };
    const fake = fakeCompiler({ '$.x': () => produced });
    const mapping = createMappingEngine({ compiler: fake.compiler }).compile('$.x', 'm.jsonata');
    expect(mapping.engine).toBe('compiled');
    expect(await mapping.evaluate({})).toBe(produced);
    expect(fake.runs).toEqual(['$.x']);
  });

  it('copies a result that is not plain JSON (sequence flags, undefined members, functions) into plain JSON', async () => {
    const sequence = Object.assign(['a', 'b'], { sequence: true });
    const fake = fakeCompiler({ '$.x': () => ({ ids: sequence, gone: undefined, fn: () => 1, n: Number.NaN }) });
    const result = (await createMappingEngine({ compiler: fake.compiler }).compile('$.x', 'm.jsonata').evaluate({})) as Record<
      string,
      unknown
    >;
    expect(result).toStrictEqual({ ids: ['a', 'b'], n: null });
    expect(Object.keys(result.ids as object)).toEqual(['0', '1']);
  });

  it('compiles identical sources once per engine', () => {
    const fake = fakeCompiler({ '$.x': () => 1 });
    const engine = createMappingEngine({ compiler: fake.compiler });
    engine.compile('$.x', 'a.jsonata');
    engine.compile('$.x', 'b.jsonata');
    expect(fake.compiles).toEqual(['$.x']);
  });

  it('falls back to the interpreter for what the compiler refuses, with its reason; syntax errors still fail the load', async () => {
    const engine = createMappingEngine({ compiler: fakeCompiler({}).compiler });
    const mapping = engine.compile('$sum(a)', 'm.jsonata');
    expect(mapping.engine).toBe('interpreted');
    expect(mapping.fallbackReason).toBe('no stand-in for $sum(a)');
    await expect(mapping.evaluate({ a: [1, 2] })).resolves.toBe(3);
    expect(() => engine.compile('{ "a": }', 'bad.jsonata')).toThrow(/bad\.jsonata:1:\d+ S0211/);
  });

  it('hands the compiler the built-ins and the engine clock once', () => {
    const fake = fakeCompiler({});
    createMappingEngine({ compiler: fake.compiler }).compile('$.x', 'm.jsonata');
    expect(fake.functions().map((f) => f.name)).toEqual(expect.arrayContaining(['toIsoUtc', 'e164', 'lookup', 'reject', 'now', 'millis']));
  });

  it('runs an evaluation whose bindings hold a function in the interpreter (the function may be async)', async () => {
    const fake = fakeCompiler({ '$f()': () => 'compiled' });
    const mapping = createMappingEngine({ compiler: fake.compiler }).compile('$f()', 'm.jsonata');
    await expect(mapping.evaluate({}, { bindings: { f: async () => 'awaited' } })).resolves.toBe('awaited');
    expect(fake.runs).toEqual([]);
  });

  it('moves an evaluation that outlives its slice to the yielding interpreter, which gives the result', async () => {
    const loop = nodeOf(SUM, (n) => n.type === 'path' || n.type === 'function');
    const fake = fakeCompiler({ [SUM]: (_input, _bindings, budget) => spin(budget, loop) });
    const mapping = createMappingEngine({ compiler: fake.compiler, syncSliceMs: 2, deadlineMs: 60_000 }).compile(SUM, 'sum.jsonata');
    const ticker = startTicker();
    const result = await mapping.evaluate({ n: 1000 });
    const ticks = ticker.ticks;
    ticker.stop();
    expect(result).toBe(1001000);
    expect(fake.runs).toEqual([SUM]);
    expect(ticks).toBeGreaterThanOrEqual(1); // the interpreter gave the event loop turns
  });

  it('keeps $now() of the evaluation when it moves to the interpreter', async () => {
    const source = '$now()';
    let seenByCompiled: unknown;
    const fake = fakeCompiler({
      [source]: (input, bindings, budget) => {
        const now = fake.functions().find((f) => f.name === 'now')!.implementation as unknown as (this: unknown) => string;
        seenByCompiled = now.call({
          input,
          environment: { lookup: (name: string) => bindings[name], base: { lookup: (name: string) => bindings[name] } },
        });
        return spin(
          budget,
          nodeOf(source, (n) => n.type === 'function'),
        );
      },
    });
    let clock = Date.UTC(2026, 10, 25, 13, 3);
    const mapping = createMappingEngine({
      compiler: fake.compiler,
      syncSliceMs: 1,
      now: () => new Date((clock += 1000)),
    }).compile(source, 'm.jsonata');
    const result = await mapping.evaluate({});
    expect(seenByCompiled).toBe('2026-11-25T13:03:01.000Z');
    expect(result).toBe(seenByCompiled);
  });

  it('ends a runaway compiled evaluation with kind timeout at its line when the deadline comes before the slice', async () => {
    const body = nodeField(
      nodeOf(RUNAWAY, (n) => n.type === 'lambda'),
      'body',
    ) as JsonataNode;
    const fake = fakeCompiler({ [RUNAWAY]: (_input, _bindings, budget) => spin(budget, body) });
    const e = await failure(
      createMappingEngine({ compiler: fake.compiler, deadlineMs: 20, syncSliceMs: 1000 })
        .compile(RUNAWAY, 'runaway.jsonata')
        .evaluate({}, { deadlineMs: 20 }),
    );
    expect([e.kind, e.jsonataCode, e.line]).toEqual(['timeout', 'D1012', 1]);
    expect(e.detail).toContain('20 ms');
  });

  it('ends runaway recursion with kind depth at the function body, as the interpreter does', async () => {
    const lambda = nodeOf(DEPTH, (n) => n.type === 'lambda');
    const recurse = (budget: EvaluationBudget | undefined, n: number): number => {
      budget!.enter(lambda);
      try {
        return n <= 0 ? 0 : 1 + recurse(budget, n - 1);
      } finally {
        budget!.exit(lambda);
      }
    };
    const fake = fakeCompiler({
      [DEPTH]: (input, _bindings, budget) => recurse(budget, (input as { levels: number }).levels),
    });
    const mapping = createMappingEngine({ compiler: fake.compiler }).compile(DEPTH, 'm.jsonata');
    await expect(mapping.evaluate({ levels: 199 })).resolves.toBe(199);
    const e = await failure(mapping.evaluate({ levels: 5000 }));
    expect([e.kind, e.jsonataCode, e.line]).toEqual(['depth', 'D1011', 3]);
    // the interpreter fails the same input the same way
    const interpreted = await failure(
      createMappingEngine({ engine: 'interpreted' }).compile(DEPTH, 'm.jsonata').evaluate({ levels: 5000 }),
    );
    expect([interpreted.kind, interpreted.jsonataCode, interpreted.line]).toEqual([e.kind, e.jsonataCode, e.line]);
  });

  it('recognises its own fault even when compiled code wraps it on the way out', async () => {
    const body = nodeField(
      nodeOf(RUNAWAY, (n) => n.type === 'lambda'),
      'body',
    ) as JsonataNode;
    const fake = fakeCompiler({
      [RUNAWAY]: (_input, _bindings, budget) => {
        try {
          return spin(budget, body);
        } catch {
          throw new Error('wrapped');
        }
      },
    });
    const e = await failure(
      createMappingEngine({ compiler: fake.compiler, syncSliceMs: 1000 }).compile(RUNAWAY, 'm.jsonata').evaluate({}, { deadlineMs: 10 }),
    );
    expect(e.kind).toBe('timeout');
  });

  it('reports a JSONata-shaped error of compiled code at its position', async () => {
    const source = '{\n  "total": price * "2"\n}';
    const fake = fakeCompiler({
      [source]: () => {
        throw {
          code: 'T2002',
          position: 20,
          token: '*',
          message: 'The right side of the "*" operator must evaluate to a number',
        };
      },
    });
    const e = await failure(createMappingEngine({ compiler: fake.compiler }).compile(source, 'm.jsonata').evaluate({ price: 1 }));
    expect([e.kind, e.jsonataCode, e.line, e.column]).toEqual(['evaluate', 'T2002', 2, 18]);
  });
});

describe('plain JSON output', () => {
  it('keeps a "__proto__" key as data, and reports a cycle (only a caller binding can make one) as an evaluation error', async () => {
    const withProto = JSON.parse('{ "__proto__": { "polluted": true }, "a": 1 }') as unknown;
    const fake = fakeCompiler({ '$.x': () => ({ nested: [withProto] }) });
    const result = (await createMappingEngine({ compiler: fake.compiler }).compile('$.x', 'm.jsonata').evaluate({})) as {
      nested: Record<string, unknown>[];
    };
    expect(Object.hasOwn(result.nested[0]!, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = [cyclic];
    for (const engine of ['interpreted', 'compiled'] as const) {
      const mapping = createMappingEngine({
        engine,
        compiler: fakeCompiler({ $cyclic: (_i, bindings) => bindings.cyclic }).compiler,
      }).compile('$cyclic', 'm.jsonata');
      const e = await failure(mapping.evaluate({}, { bindings: { cyclic } }));
      expect([e.kind, e.detail]).toEqual(['evaluate', 'Result contains a circular reference']);
    }
  });
});
