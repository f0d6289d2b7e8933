import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMappingEngine as createEngine, type MappingEngineKind, type MappingEngineOptions } from '../../src/mapping/engine.js';
import { compileJsonata } from '../../src/mapping/compiler/index.js';
import { MappingError } from '../../src/mapping/errors.js';

/** The compiled engine's own behaviour needs a compiler that compiles (issue 12); the engine with doubles is in engine-budget.test.ts. */
const COMPILER_BUILT = compileJsonata('1').ok;

const RUNAWAY = '($loop := function($n) { $loop($n + 1) }; $loop(0))';

/** Counts event-loop turns until stopped: it only advances when the loop is not blocked. */
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
    stop() {
      running = false;
    },
  };
}

async function catchError(promise: Promise<unknown>): Promise<MappingError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(MappingError);
    return err as MappingError;
  }
  throw new Error('expected the evaluation to fail');
}

const ENGINES: readonly MappingEngineKind[] = ['interpreted', 'compiled'];

// Every behaviour below holds for both engines: the compiled one must fail the same way (kinds, codes, lines).
describe.each(ENGINES)('%s engine', (engineKind) => {
  const createMappingEngine = (opts: Partial<MappingEngineOptions> = {}) => createEngine({ engine: engineKind, ...opts });

  describe('createMappingEngine options', () => {
    it('applies the documented defaults', () => {
      expect(createMappingEngine().options).toMatchObject({ deadlineMs: 50, maxDepth: 200, yieldEveryMs: 2 });
    });

    it('refuses nonsensical limits at creation rather than at the first request', () => {
      expect(() => createMappingEngine({ deadlineMs: 0 })).toThrow(RangeError);
      expect(() => createMappingEngine({ maxDepth: 1.5 })).toThrow(/maxDepth/);
      expect(() => createMappingEngine({ yieldEveryMs: -1 })).toThrow(/yieldEveryMs/);
    });
  });

  describe('compile', () => {
    const engine = createMappingEngine();

    it('reports a syntax error at file:line:col of the offending token', () => {
      const source = ['{', '  "id": id,', '  "country": address country', '}'].join('\n');
      let error: unknown;
      try {
        engine.compile(source, 'partners/acme/mappings/x.jsonata');
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(MappingError);
      const e = error as MappingError;
      expect(e.kind).toBe('compile');
      expect(e.file).toBe('partners/acme/mappings/x.jsonata');
      expect([e.line, e.column]).toEqual([3, 22]); // the "country" after "address"
      expect(e.jsonataCode).toBe('S0202');
      expect(e.toString()).toBe('partners/acme/mappings/x.jsonata:3:22 S0202 Expected "}", got "country"');
      expect(e.message).toBe(e.toString());
    });

    it('locates an unterminated string', () => {
      const e = (() => {
        try {
          engine.compile('{\n  "a": "open\n}', 'm.jsonata');
        } catch (err) {
          return err as MappingError;
        }
        throw new Error('expected a compile error');
      })();
      expect(e.kind).toBe('compile');
      expect(e.jsonataCode).toBe('S0101');
      expect(e.line).toBeGreaterThanOrEqual(2);
    });

    it('keeps file and source on the compiled mapping', () => {
      const mapping = engine.compile('$.a', 'm.jsonata');
      expect(mapping.file).toBe('m.jsonata');
      expect(mapping.source).toBe('$.a');
    });
  });

  describe('evaluate', () => {
    const engine = createMappingEngine();

    it('returns plain JSON: no sequence flags, no undefined keys, no functions', async () => {
      const mapping = engine.compile(
        '{ "ids": items.id, "one": [items[0].id], "missing": nothing, "fn": function($x) { $x } }',
        'm.jsonata',
      );
      const result = (await mapping.evaluate({ items: [{ id: 'a' }, { id: 'b' }] })) as Record<string, unknown>;
      expect(result).toStrictEqual({ ids: ['a', 'b'], one: ['a'] });
      expect(Object.hasOwn(result, 'missing')).toBe(false);
      expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
      expect(Object.keys(result.ids as object)).toEqual(['0', '1']); // no "sequence" flag
    });

    it('returns undefined when the mapping produces nothing', async () => {
      await expect(engine.compile('nothing', 'm.jsonata').evaluate({})).resolves.toBeUndefined();
    });

    it('exposes bindings as $variables and functions', async () => {
      const mapping = engine.compile('{ "requestId": $requestId, "partner": $upper($partnerId) }', 'm.jsonata');
      const result = await mapping.evaluate(
        {},
        { bindings: { requestId: 'r-1', partnerId: 'acme', upper: (s: string) => s.toUpperCase() } },
      );
      expect(result).toStrictEqual({ requestId: 'r-1', partner: 'ACME' });
    });

    it('reports an evaluation error at the failing line inside a function body, not at the call', async () => {
      const source = [
        '(', //
        '  $label := function($x) {',
        '    $x + " units"',
        '  };',
        '  { "label": $label(quantity) }',
        ')',
      ].join('\n');
      const e = await catchError(engine.compile(source, 'm.jsonata').evaluate({ quantity: 3 }));
      expect(e.kind).toBe('evaluate');
      expect(e.jsonataCode).toBe('T2002');
      expect([e.line, e.column]).toEqual([3, 8]);
      expect(e.toString()).toMatch(/^m\.jsonata:3:8 T2002 The right side of the "\+" operator/);
    });

    it('reports a failing call in tail position at that call', async () => {
      const source = ['(', '  $shout := function($x) {', '    $uppercase($x)', '  };', '  $shout(42)', ')'].join('\n');
      const e = await catchError(engine.compile(source, 'm.jsonata').evaluate({}));
      expect(e.jsonataCode).toBe('T0410');
      expect([e.line, e.column]).toEqual([3, 5]);
    });

    it('reports an error in a top-level expression at its position', async () => {
      const e = await catchError(engine.compile('{\n  "total": price * "2"\n}', 'm.jsonata').evaluate({ price: 1 }));
      expect([e.kind, e.jsonataCode, e.line, e.column]).toEqual(['evaluate', 'T2002', 2, 18]);
    });

    it('runs $now() and $millis() on the injected clock, fixed for the evaluation', async () => {
      const clocked = createMappingEngine({ now: () => new Date('2026-11-25T13:03:00.000Z') });
      const result = await clocked
        .compile('{ "now": $now(), "millis": $millis(), "local": $now("[H01]:[m01]", "+0100") }', 'm.jsonata')
        .evaluate({});
      expect(result).toStrictEqual({
        now: '2026-11-25T13:03:00.000Z',
        millis: Date.parse('2026-11-25T13:03:00.000Z'),
        local: '14:03',
      });
    });
  });

  describe('deadline and yielding', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('stops $sum over a huge range with kind timeout', async () => {
      const engine = createMappingEngine();
      const e = await catchError(engine.compile('$sum([1..2000000].($ * 2))', 'sum.jsonata').evaluate({}));
      expect(e.kind).toBe('timeout');
      expect(e.jsonataCode).toBe('D1012');
      // a mapping's first evaluations run cold and get a warm-up budget (10x), later ones the configured 50 ms
      expect(e.toString()).toMatch(/^sum\.jsonata:1:\d+ D1012 Evaluation exceeded its deadline of 500 ms$/);
    });

    it('stops a never-ending recursion near its deadline while other work keeps running', async () => {
      const engine = createMappingEngine({ deadlineMs: 100 });
      const mapping = engine.compile(RUNAWAY, 'runaway.jsonata');
      const ticker = startTicker();
      const started = performance.now();
      const e = await catchError(mapping.evaluate({}));
      const elapsed = performance.now() - started;
      // Read before yielding: without the engine's yields the ticker could not have run at all.
      const ticksDuringEvaluation = ticker.ticks;
      ticker.stop();
      expect(e.kind).toBe('timeout');
      expect(e.line).toBe(1);
      expect(elapsed).toBeGreaterThanOrEqual(99);
      expect(elapsed).toBeLessThan(5_000);
      expect(ticksDuringEvaluation).toBeGreaterThanOrEqual(3);
    });

    // yieldEveryMs is the interpreter's: compiled evaluations are bounded by syncSliceMs instead (tests below)
    it.runIf(engineKind === 'interpreted')('yields to the event loop during a long successful evaluation', async () => {
      // yieldEveryMs 0 yields before every step, so the count does not depend on machine speed.
      const engine = createMappingEngine({ yieldEveryMs: 0, deadlineMs: 30_000 });
      const ticker = startTicker();
      const result = await engine.compile('$sum([1..1000].($ * 2))', 'm.jsonata').evaluate({});
      const ticksDuringEvaluation = ticker.ticks;
      ticker.stop();
      expect(result).toBe(1001000);
      expect(ticksDuringEvaluation).toBeGreaterThanOrEqual(1000);
    });

    it('lets a per-call deadline override the engine deadline', async () => {
      const engine = createMappingEngine({ deadlineMs: 60_000 });
      const e = await catchError(engine.compile(RUNAWAY, 'm.jsonata').evaluate({}, { deadlineMs: 20 }));
      expect(e.kind).toBe('timeout');
      expect(e.detail).toContain('20 ms');
    });

    it('times out an evaluation stuck awaiting an async binding', async () => {
      const engine = createMappingEngine({ deadlineMs: 30 });
      const mapping = engine.compile('{ "a": $wait() }', 'm.jsonata');
      const e = await catchError(mapping.evaluate({}, { bindings: { wait: () => new Promise(() => {}) } }));
      expect(e.kind).toBe('timeout');
    });

    it('keeps deadlines and yields on real time when a test installs fake timers', async () => {
      vi.useFakeTimers();
      const engine = createMappingEngine({ deadlineMs: 30 });
      const e = await catchError(engine.compile(RUNAWAY, 'm.jsonata').evaluate({}));
      expect(e.kind).toBe('timeout');
      const ok = await createMappingEngine({ yieldEveryMs: 0 }).compile('$sum([1..10])', 'm.jsonata').evaluate({});
      expect(ok).toBe(55);
    });
  });

  describe('concurrent evaluations of one compiled mapping', () => {
    const source = `
      $exists($wait) ? ($wait(); { "done": true })
      : runaway ? ($loop := function($n) { $loop($n + 1) }; $loop(0))
      : { "fast": value }`;

    it('lets a fast evaluation finish while a slow one runs, then times out the slow one', async () => {
      const mapping = createMappingEngine().compile(source, 'm.jsonata');
      const settled: string[] = [];
      const slow = mapping.evaluate({ runaway: true }, { deadlineMs: 200 }).then(
        () => settled.push('slow ok'),
        (e: MappingError) => settled.push(`slow ${e.kind}`),
      );
      const fast = mapping.evaluate({ runaway: false, value: 7 }).then((r) => {
        settled.push('fast ok');
        return r;
      });
      await expect(fast).resolves.toStrictEqual({ fast: 7 });
      await slow;
      expect(settled).toEqual(['fast ok', 'slow timeout']);
    });

    it('gives each evaluation its own deadline', async () => {
      const mapping = createMappingEngine().compile(source, 'm.jsonata');
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      // Started first with a long deadline; it continues only after the short one has expired.
      const patient = mapping.evaluate({}, { deadlineMs: 30_000, bindings: { wait: () => gate } });
      const hasty = await catchError(mapping.evaluate({ runaway: true }, { deadlineMs: 20 }));
      expect(hasty.kind).toBe('timeout');
      release();
      await expect(patient).resolves.toStrictEqual({ done: true });
    });
  });

  describe('depth guard', () => {
    const source = ['(', '  $depth := function($n) {', '    $n <= 0 ? 0 : 1 + $depth($n - 1)', '  };', '  $depth(levels)', ')'].join('\n');

    it('allows recursion up to maxDepth nested calls', async () => {
      const mapping = createMappingEngine().compile(source, 'm.jsonata');
      await expect(mapping.evaluate({ levels: 199 })).resolves.toBe(199);
      await expect(mapping.evaluate({ levels: 200 })).rejects.toMatchObject({ kind: 'depth' });
    });

    it('fails deep recursion with kind depth at the recursive function', async () => {
      const e = await catchError(createMappingEngine().compile(source, 'm.jsonata').evaluate({ levels: 5000 }));
      expect(e.kind).toBe('depth');
      expect(e.jsonataCode).toBe('D1011');
      expect(e.line).toBe(3);
      expect(e.detail).toContain('maximum depth of 200');
    });

    it('catches mutual recursion', async () => {
      const mutual = [
        '(',
        '  $even := function($n) { $n = 0 ? "even" : $odd($n - 1) & "" };',
        '  $odd := function($n) { $n = 0 ? "odd" : $even($n - 1) & "" };',
        '  $even(n)',
        ')',
      ].join('\n');
      const mapping = createMappingEngine().compile(mutual, 'm.jsonata');
      await expect(mapping.evaluate({ n: 101 })).resolves.toBe('odd');
      const e = await catchError(mapping.evaluate({ n: 5000 }));
      expect(e.kind).toBe('depth');
      expect([2, 3]).toContain(e.line);
    });

    it('does not mistake a wide object for deep nesting', async () => {
      // JSONata evaluates object members concurrently; its own frame counter would pass 200 here.
      const fields = Array.from({ length: 400 }, (_, i) => `"f${i}": { "v": $string(a.b) & "-${i}" }`);
      // a generous deadline: this is about depth, and a loaded machine must not turn it into a timing test
      const result = (await createMappingEngine({ deadlineMs: 30_000 })
        .compile(`{ ${fields.join(', ')} }`, 'm.jsonata')
        .evaluate({ a: { b: 1 } })) as Record<string, unknown>;
      expect(Object.keys(result)).toHaveLength(400);
      expect(result.f399).toStrictEqual({ v: '1-399' });
    });

    it('does not mistake concurrent calls of one function for recursion', async () => {
      // The members of an object constructor run concurrently, so all 20 are inside $label at once.
      const members = Array.from({ length: 20 }, (_, i) => `"m${i}": $label(items[${i}])`);
      const engine = createMappingEngine({ maxDepth: 5, deadlineMs: 30_000 });
      const mapping = engine.compile(
        `($label := function($i) { { "label": $uppercase($i.name) } }; { ${members.join(', ')} })`,
        'm.jsonata',
      );
      const items = Array.from({ length: 20 }, (_, i) => ({ name: `n${i}` }));
      const result = (await mapping.evaluate({ items })) as Record<string, unknown>;
      expect(Object.keys(result)).toHaveLength(20);
      expect(result.m19).toStrictEqual({ label: 'N19' });
      // The same limit still stops real recursion.
      await expect(engine.compile(source, 'm.jsonata').evaluate({ levels: 10 })).rejects.toMatchObject({
        kind: 'depth',
      });
    });

    it('honours a larger maxDepth', async () => {
      const engine = createMappingEngine({ maxDepth: 2000 });
      await expect(engine.compile(source, 'm.jsonata').evaluate({ levels: 300 })).resolves.toBe(300);
    });
  });
});

describe.skipIf(!COMPILER_BUILT)('the compiled engine (skipped while src/mapping/compiler declines everything, issue 12)', () => {
  it('is the default', () => {
    expect(createEngine().options.engine).toBe('compiled');
    expect(createEngine().compile('$.a', 'm.jsonata').engine).toBe('compiled');
    expect(createEngine({ engine: 'interpreted' }).compile('$.a', 'm.jsonata').engine).toBe('interpreted');
    expect(() => createEngine({ engine: 'fast' as MappingEngineKind })).toThrow(/engine/);
    expect(() => createEngine({ syncSliceMs: 0 })).toThrow(/syncSliceMs/);
  });

  it('lets the compile call choose the engine for one mapping', () => {
    const engine = createEngine({ engine: 'interpreted' });
    expect(engine.compile('$.a', 'm.jsonata', { engine: 'compiled' }).engine).toBe('compiled');
  });

  it('runs a short mapping without giving the event loop a turn (no timer, no yield)', async () => {
    const ticker = startTicker();
    const result = await createEngine()
      .compile('{ "sum": $sum(items.price) }', 'm.jsonata')
      .evaluate({ items: [{ price: 1 }, { price: 2 }] });
    const ticks = ticker.ticks;
    ticker.stop();
    expect(result).toStrictEqual({ sum: 3 });
    expect(ticks).toBe(0);
  });

  it('does not hold the event loop past its slice: a long evaluation moves to the yielding interpreter, same result', async () => {
    const source = '$sum([1..n].($ * 2))';
    const input = { n: 200_000 };
    const compiled = createEngine({ syncSliceMs: 1, deadlineMs: 60_000 }).compile(source, 'long.jsonata');
    expect(compiled.engine).toBe('compiled');
    const ticker = startTicker();
    const result = await compiled.evaluate(input);
    // a synchronous run to the end would have left the ticker no turn at all
    const ticksDuringEvaluation = ticker.ticks;
    ticker.stop();
    expect(ticksDuringEvaluation).toBeGreaterThanOrEqual(1);
    const interpreted = await createEngine({ engine: 'interpreted', deadlineMs: 60_000 }).compile(source, 'long.jsonata').evaluate(input);
    expect(result).toBe(interpreted);
    expect(result).toBe(200_000 * 200_001);
  });

  it('keeps $now() fixed when an evaluation is re-run in the interpreter', async () => {
    let calls = 0;
    const engine = createEngine({
      syncSliceMs: 1,
      deadlineMs: 60_000,
      now: () => new Date(Date.UTC(2026, 10, 25, 13, 3) + calls++ * 1000),
    });
    const result = await engine
      .compile('{ "before": $now(), "work": $sum([1..n]), "after": $millis() }', 'm.jsonata')
      .evaluate({ n: 200_000 });
    expect(result).toStrictEqual({
      before: '2026-11-25T13:03:00.000Z',
      work: (200_000 * 200_001) / 2,
      after: Date.UTC(2026, 10, 25, 13, 3),
    });
  });

  it('shares one compilation between files with the same source, each keeping its own file in errors', async () => {
    const engine = createEngine();
    const a = engine.compile('{ "total": price * "2" }', 'a.jsonata');
    const b = engine.compile('{ "total": price * "2" }', 'b.jsonata');
    await expect(a.evaluate({ price: 1 })).rejects.toMatchObject({ file: 'a.jsonata', jsonataCode: 'T2002' });
    await expect(b.evaluate({ price: 1 })).rejects.toMatchObject({ file: 'b.jsonata', jsonataCode: 'T2002' });
  });

  it('returns results that share nothing JSONata-specific: plain arrays and objects', async () => {
    const result = (await createEngine()
      .compile('{ "ids": items.id, "one": [items[0].id] }', 'm.jsonata')
      .evaluate({ items: [{ id: 'a' }, { id: 'b' }] })) as Record<string, unknown>;
    expect(result).toStrictEqual({ ids: ['a', 'b'], one: ['a'] });
    expect(Object.keys(result.ids as object)).toEqual(['0', '1']);
  });
});
