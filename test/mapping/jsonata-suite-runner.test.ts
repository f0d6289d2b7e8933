import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { compileJsonata, CompiledExpression } from '../../src/mapping/compiler/index.js';
import {
  createSuiteBudget,
  jsonataSuiteDir,
  jsonataSuiteExists,
  judgeError,
  judgeResult,
  loadJsonataSuite,
  runCaseWithCompiler,
  runCaseWithInterpreter,
  type SuiteCase,
} from '../support/jsonata-suite-runner.js';

/*
 * The runner behind jsonata-suite.test.ts judges the compiler; these tests judge the runner: how it reads the
 * suite's files, compares outcomes and enforces a case's limits. (JSONATA_SUITE_ENGINE=interpreter runs the whole
 * suite through the interpreter, which agrees with every case.)
 */

const node = { type: 'lambda', position: 0 } as never;

function caseOf(fields: Partial<SuiteCase>): SuiteCase {
  return { id: 'test/case000', group: 'test', expr: '$', dataset: null, ...fields };
}

const tmp = mkdtempSync(join(tmpdir(), 'jsonata-suite-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function writeSuite(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmp, 'suite-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

describe('loading the suite', () => {
  it('names each case by group and file, and a file holding several cases by index; reads expr-file', () => {
    const dir = writeSuite({
      'datasets/dataset0.json': { a: 1 },
      'groups/b/case001.json': { expr: 'a', dataset: 'dataset0', bindings: {}, result: 1 },
      'groups/a/errors.json': [
        { expr: '(', dataset: null, bindings: {}, code: 'S0203' },
        { 'expr-file': 'long.jsonata', data: { x: 2 }, bindings: {}, result: 2 },
      ],
      'groups/a/long.jsonata': 'x',
    });
    const suite = loadJsonataSuite(dir);
    expect(suite.cases.map((c) => [c.id, c.group, c.expr])).toEqual([
      ['a/errors[0]', 'a', '('],
      ['a/errors[1]', 'a', 'x'],
      ['b/case001', 'b', 'a'],
    ]);
  });

  it('refuses a case naming an unknown dataset, or with nothing to check', () => {
    expect(() =>
      loadJsonataSuite(writeSuite({ 'datasets/d.json': {}, 'groups/g/case000.json': { expr: 'a', dataset: 'nope', result: 1 } })),
    ).toThrow(/g\/case000 names the unknown dataset nope/);
    expect(() => loadJsonataSuite(writeSuite({ 'datasets/d.json': {}, 'groups/g/case000.json': { expr: 'a', dataset: null } }))).toThrow(
      /nothing to check/,
    );
  });

  it('finds the suite from JSONATA_TEST_SUITE_DIR, else next to the repository', () => {
    expect(jsonataSuiteDir({ JSONATA_TEST_SUITE_DIR: '/somewhere/suite' })).toBe('/somewhere/suite');
    expect(jsonataSuiteDir({})).toMatch(/[\\/]shared[\\/]jsonata-test-suite$/);
  });
});

describe('judging a case', () => {
  it('compares results as JSON: array flags and key order do not count, values do', () => {
    const sequence = Object.assign([1, { b: 2, a: 1 }], { sequence: true });
    expect(judgeResult(caseOf({ result: [1, { a: 1, b: 2 }] }), sequence)).toEqual({ status: 'agree' });
    expect(judgeResult(caseOf({ result: [1, { a: 1, b: 2 }] }), [1, { a: 1, b: 3 }])).toEqual({
      status: 'disagree',
      expected: '[1,{"a":1,"b":2}]',
      got: '[1,{"a":1,"b":3}]',
    });
  });

  it('tells undefined from null', () => {
    expect(judgeResult(caseOf({ undefinedResult: true }), undefined).status).toBe('agree');
    expect(judgeResult(caseOf({ undefinedResult: true }), null).status).toBe('disagree');
    expect(judgeResult(caseOf({ result: null }), undefined).status).toBe('disagree');
    expect(judgeResult(caseOf({ result: null }), null).status).toBe('agree');
  });

  it('wants the expected error: a result disagrees, so does another code or token', () => {
    expect(judgeResult(caseOf({ code: 'T2001' }), 3)).toEqual({
      status: 'disagree',
      expected: 'error T2001',
      got: '3',
    });
    expect(judgeError(caseOf({ code: 'T2001' }), { code: 'T2001', token: '+' }).status).toBe('agree');
    expect(judgeError(caseOf({ code: 'T2001' }), { code: 'T2002' }).status).toBe('disagree');
    expect(judgeError(caseOf({ code: 'S0214', token: '@' }), { code: 'S0214', token: '@' }).status).toBe('agree');
    expect(judgeError(caseOf({ code: 'S0214', token: '@' }), { code: 'S0214', token: '#' }).status).toBe('disagree');
    expect(judgeError(caseOf({ result: 1 }), new TypeError('boom'))).toEqual({
      status: 'disagree',
      expected: '1',
      got: 'error without code, "boom"',
    });
  });

  it('wants every field of an expected error structure', () => {
    const expected = caseOf({ error: { code: 'D3137', message: 'Too Expensive' } });
    expect(judgeError(expected, { code: 'D3137', message: 'Too Expensive', position: 3 }).status).toBe('agree');
    expect(judgeError(expected, { code: 'D3137', message: 'Too cheap' }).status).toBe('disagree');
  });
});

describe('the budget of a compiled case', () => {
  it('throws U1001 (stack overflow) past the depth, counting open calls', () => {
    const budget = createSuiteBudget({ depth: 2 });
    budget.enter(node);
    budget.enter(node);
    budget.exit(node);
    budget.enter(node);
    expect(() => budget.enter(node)).toThrow(
      expect.objectContaining({ code: 'U1001', message: expect.stringMatching(/^Stack overflow error/) }),
    );
  });

  it('throws U1001 (timeout) once the timelimit has passed', () => {
    let clock = 0;
    const budget = createSuiteBudget({ timelimit: 100 }, () => clock);
    for (let i = 0; i < 1000; i++) budget.tick(node);
    clock = 101;
    expect(() => {
      for (let i = 0; i < 1000; i++) budget.tick(node);
    }).toThrow(expect.objectContaining({ code: 'U1001', message: 'Expression evaluation timeout: Check for infinite loop' }));
    expect(() => budget.enter(node)).toThrow(expect.objectContaining({ code: 'U1001' }));
  });
});

describe('running a case through a compiler', () => {
  const dir = writeSuite({
    'datasets/dataset0.json': { items: [1, 2] },
    'groups/g/case000.json': { expr: 'push', dataset: 'dataset0', bindings: { n: 3 }, result: [1, 2, 3] },
    'groups/g/case001.json': { expr: 'items', dataset: 'dataset0', bindings: {}, result: [1, 2] },
    'groups/g/case002.json': { expr: '(', dataset: null, bindings: {}, code: 'S0203' },
    'groups/g/case003.json': { expr: 'declined', dataset: null, bindings: {}, result: 1 },
    'groups/g/case004.json': { expr: 'recurse', dataset: null, bindings: {}, timelimit: 1000, depth: 5, code: 'U1001' },
  });
  const suite = loadJsonataSuite(dir);
  const [push, items, syntax, declined, recurse] = suite.cases as [SuiteCase, SuiteCase, SuiteCase, SuiteCase, SuiteCase];
  const table: Record<string, CompiledExpression['evaluate']> = {
    // mutates its input: the next case must still see the dataset as written
    push: (input, bindings) => ((input as { items: number[] }).items.push(bindings.n as number), (input as { items: number[] }).items),
    items: (input) => (input as { items: number[] }).items,
    recurse: (_input, _bindings, budget) => {
      const call = (): never => {
        budget!.enter(node);
        return call();
      };
      return call();
    },
  };
  const compile: typeof compileJsonata = (source) => {
    if (source === '(') throw { code: 'S0203', position: 1, token: '(' };
    const evaluate = table[source];
    return evaluate ? { ok: true, expression: { evaluate } } : { ok: false, reason: `no stand-in for ${source}` };
  };

  it('passes the bindings and gives every case its own copy of the dataset', () => {
    expect(runCaseWithCompiler(suite, push, compile)).toEqual({ status: 'agree' });
    expect(runCaseWithCompiler(suite, items, compile)).toEqual({ status: 'agree' });
  });

  it('judges an error thrown by compiling, and reports a declined expression with its reason', () => {
    expect(runCaseWithCompiler(suite, syntax, compile)).toEqual({ status: 'agree' });
    expect(runCaseWithCompiler(suite, declined, compile)).toEqual({
      status: 'declined',
      reason: 'no stand-in for declined',
    });
  });

  it("enforces the case's depth through the budget", () => {
    expect(runCaseWithCompiler(suite, recurse, compile)).toEqual({ status: 'agree' });
    expect(runCaseWithCompiler(suite, { ...recurse, code: undefined, result: 1 }, compile)).toMatchObject({
      status: 'disagree',
      got: expect.stringMatching(/^error U1001/),
    });
  });
});

describe.skipIf(!jsonataSuiteExists(jsonataSuiteDir()))('the interpreter on the real suite', () => {
  it('stops runaway recursion by the depth the case sets, as the reference runner does', async () => {
    const suite = loadJsonataSuite(jsonataSuiteDir());
    const byId = (id: string) => suite.cases.find((c) => c.id === id)!;
    // factorial(99) fits in depth 302, factorial(100) does not; $inf never ends
    for (const id of ['tail-recursion/case001', 'tail-recursion/case002', 'tail-recursion/case005']) {
      expect([id, await runCaseWithInterpreter(suite, byId(id))]).toEqual([id, { status: 'agree' }]);
    }
    expect(await runCaseWithInterpreter(suite, { ...byId('tail-recursion/case002'), depth: 1000 })).toMatchObject({
      status: 'disagree',
      expected: 'error U1001',
    });
  });
});
