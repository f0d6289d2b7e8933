import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { compileAst, compileJsonata, type CompilerFunction, type EvaluationBudget } from '../../src/mapping/compiler/index.js';
import type { AstNode } from '../../src/mapping/jsonata-ast.js';
import {
  CONTEXT_BINDING,
  EvaluationFault,
  readEvaluationContext,
  type JsonataFocus,
  type JsonataNode,
} from '../../src/mapping/evaluation-context.js';

/*
 * The JSONata compiler on its own: it must give what the `jsonata` interpreter gives (values, sequence shapes,
 * error codes), tick its budget, hand the gateway's built-ins their evaluation context, and decline (never
 * guess) what it does not handle. The whole language is checked against JSONata's own suite in
 * jsonata-suite.test.ts, and the shipped mappings against the interpreter in engine-equivalence.test.ts.
 */

function compiled(source: string, functions?: readonly CompilerFunction[]) {
  const outcome = compileJsonata(source, functions ? { functions } : undefined);
  if (!outcome.ok) throw new Error(`declined: ${outcome.reason}`);
  return outcome.expression;
}

type Outcome = { value: unknown } | { code: unknown };

function runCompiled(source: string, input: unknown, bindings: Record<string, unknown> = {}): Outcome {
  try {
    return { value: plain(compiled(source).evaluate(input, bindings)) };
  } catch (err) {
    return { code: (err as { code?: unknown }).code };
  }
}

async function runInterpreted(source: string, input: unknown, bindings: Record<string, unknown> = {}): Promise<Outcome> {
  try {
    return { value: plain(await jsonata(source).evaluate(input, bindings)) };
  } catch (err) {
    return { code: (err as { code?: unknown }).code };
  }
}

/** JSONata's sequences carry flags; what users see is their JSON. */
function plain(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

const ORDERS = {
  orders: [
    {
      id: 'o1',
      items: [
        { sku: 'a', qty: 2, price: 10 },
        { sku: 'b', qty: 1, price: 5 },
      ],
    },
    { id: 'o2', items: [{ sku: 'a', qty: 1, price: 10 }] },
    { id: 'o3', items: [] },
  ],
  single: { items: { sku: 'c', qty: 3, price: 1 } },
};

describe('compiled JSONata gives what the interpreter gives', () => {
  // each case is compared with the interpreter on the same input, so the expectation is the reference itself
  const cases: [string, string, unknown][] = [
    ['singleton sequences unwrap', 'orders[0].id', ORDERS],
    ['paths flatten across arrays', 'orders.items.sku', ORDERS],
    ['[] keeps a singleton an array', 'orders[id="o2"].items[].sku', ORDERS],
    ['keepArray on a single object', 'single.items[].sku', ORDERS],
    ['positional and negative indexes', '[orders.items[0].sku, orders.items[-1].sku, orders[[0, 2]].id]', ORDERS],
    ['boolean predicates', 'orders.items[qty > 1 and price >= 10].sku', ORDERS],
    ['undefined members vanish from objects and arrays', '{ "a": nothing, "b": [nothing, 1, orders[9]], "c": orders[0].id }', ORDERS],
    ['parent operator', 'orders.items.{ "order": %.id, "sku": sku }', ORDERS],
    ['focus and index bindings', 'orders@$o#$i.items@$it.{ "o": $o.id, "i": $i, "sku": $it.sku }', ORDERS],
    ['order-by', 'orders.items^(>price, sku).sku', ORDERS],
    ['group-by object on a path', 'orders.items{ sku: $sum(qty) }', ORDERS],
    ['wildcard and descendants', '[single.*.sku, **.sku]', ORDERS],
    ['lambdas, closures and partial application', '($add := function($a, $b) { $a + $b }; $inc := $add(?, 1); $map([1, 2], $inc))', {}],
    ['function chains with ~>', '($double := function($x) { $x * 2 }; 3 ~> $double ~> $string)', {}],
    ['composed functions', '($f := $uppercase ~> $trim; $f(" ab "))', {}],
    [
      'higher-order standard functions',
      '[$filter([1, 2, 3, 4], function($v) { $v % 2 = 0 }), $reduce([1, 2, 3], function($a, $b) { $a + $b }), $sort([3, 1, 2], function($a, $b) { $a < $b })]',
      {},
    ],
    [
      'regexes',
      '[$match("a1b22", /[0-9]+/).match, $replace("2026-11-25", /(\\d+)-(\\d+)-(\\d+)/, "$3.$2.$1"), $split("a, b,c", /,\\s*/), $contains("abc", /B/i)]',
      {},
    ],
    ['range, in, & and conditions', '[[1..4], 3 in [1..4], "a" & 1 & true, 5 > 3 ? "yes" : "no"]', {}],
    ['transform', '$ ~> |orders.items|{ "total": qty * price }, ["price"]|', ORDERS],
    ['$eval', '$eval("orders[1].id")', ORDERS],
    ['tail recursion runs deep', '($loop := function($n, $acc) { $n = 0 ? $acc : $loop($n - 1, $acc + 1) }; $loop(5000, 0))', {}],
    ['$ and $$ at the root and inside a predicate', 'orders[id = $$.orders[1].id].items.sku', ORDERS],
    ['number to string forms', '[$string(0.1 + 0.2), $formatNumber(1234.5, "#,##0.00"), $string({"a": [1, 2]})]', {}],
    ['an array input is one value', '$count($)', [1, 2, 3]],
  ];
  it.each(cases)('%s', async (_name, source, input) => {
    const expected = await runInterpreted(source, input);
    expect('value' in expected).toBe(true);
    expect(runCompiled(source, input)).toStrictEqual(expected);
  });

  const errors: [string, string, unknown][] = [
    ['T2001 arithmetic on a string', '"a" + 1', {}],
    ['T2002 on the right side', 'price * "2"', { price: 1 }],
    ['T0410 an argument of the wrong type', '$uppercase(42)', {}],
    ['T0411 a context value of the wrong type', 'n.$uppercase()', { n: 4 }],
    ['T0412 an array argument of the wrong member type', '$sum(["a"])', {}],
    ['D3030 a number that is not one', '$number("abc")', {}],
    ['T1006 calling a non-function', '$x()', {}],
    ['T1005 a function name without $', 'uppercase("a")', { uppercase: 1 }],
    ['T2009 comparing a number with a string', '1 < "2"', {}],
    ['T1003 a non-string key', '{ 1: 2 }', {}],
    ['D1009 two key expressions giving one key', 'items{ sku: 1, "a": 2 }', { items: [{ sku: 'a' }] }],
    ['T2006 ~> into a non-function', '1 ~> 2', {}],
    ['D3137 $error', '$error("stop")', {}],
    ['D3121 an error inside $eval', '$eval("1 + \'a\'")', {}],
    ['T2011 a transform update that is not an object', '$ ~> |a|5|', { a: {} }],
  ];
  it.each(errors)('%s', async (_name, source, input) => {
    const expected = await runInterpreted(source, input);
    expect('code' in expected).toBe(true);
    expect(runCompiled(source, input)).toStrictEqual(expected);
  });

  it("stamps the failing operator's position and token on an error, as the interpreter does", async () => {
    const source = '(\n  $x := 3;\n  $x + " units"\n)';
    const fields = (err: unknown) => {
      const e = err as { code?: string; position?: number; token?: string; message?: string };
      return { code: e.code, position: e.position, token: e.token, message: e.message };
    };
    const expected = await jsonata(source)
      .evaluate({})
      .then(() => undefined, fields);
    expect(expected).toMatchObject({ code: 'T2002', token: '+' });
    let actual;
    try {
      compiled(source).evaluate({}, {});
    } catch (err) {
      actual = fields(err);
    }
    expect(actual).toStrictEqual(expected);
  });

  it.each([
    ['an object member', '{ "slow": ($a := 1; $b := $a + 1; $c := $b + 1; $error("slow " & $c)), "fast": $error("fast") }'],
    ['an array member', '[($x := [1, 2, 3].($ * 2); $error("slow")), $error("fast")]'],
    ['two members as quick as each other', '{ "a": $error("first"), "b": $error("second") }'],
  ])("fails %s with the error the interpreter's concurrent members reach first", async (_name, source) => {
    const expected = await jsonata(source)
      .evaluate({})
      .then(
        () => undefined,
        (err: { message?: string }) => err.message,
      );
    let actual: string | undefined;
    try {
      compiled(source).evaluate({}, {});
    } catch (err) {
      actual = (err as { message?: string }).message;
    }
    expect(expected).toBeDefined();
    expect(actual).toBe(expected);
  });

  it("returns the caller's bindings as $variables", () => {
    expect(compiled('$greeting & ", " & name').evaluate({ name: 'Ada' }, { greeting: 'Hello' })).toBe('Hello, Ada');
  });
});

describe('the budget', () => {
  function countingBudget(limit = Number.POSITIVE_INFINITY): EvaluationBudget & { ticks: number; entered: JsonataNode[]; open: number } {
    const budget = {
      ticks: 0,
      entered: [] as JsonataNode[],
      open: 0,
      tick() {
        if (++budget.ticks > limit) throw new EvaluationFault('timeout', 'budget spent');
      },
      enter(node: JsonataNode) {
        budget.entered.push(node);
        budget.open++;
        budget.tick();
      },
      exit() {
        budget.open--;
      },
    };
    return budget;
  }

  it('stops a runaway recursion with what the budget throws, unchanged', () => {
    const budget = countingBudget(1000);
    const expression = compiled('($loop := function($n) { $loop($n + 1) }; $loop(0))');
    let thrown: unknown;
    try {
      expression.evaluate({}, {}, budget);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(EvaluationFault);
    expect((thrown as EvaluationFault).kind).toBe('timeout');
    expect(budget.ticks).toBe(1001);
  });

  it('ticks on every item of a loop over a sequence', () => {
    const budget = countingBudget();
    expect(compiled('$sum([1..500].($ * 2))').evaluate({}, {}, budget)).toBe(250500);
    expect(budget.ticks).toBeGreaterThanOrEqual(500);
  });

  it('enters and exits the lambda node around each call, nesting as the recursion does', () => {
    const budget = countingBudget();
    let deepest = 0;
    const enter = budget.enter.bind(budget);
    budget.enter = (node) => {
      enter(node);
      deepest = Math.max(deepest, budget.open);
    };
    const source = '($depth := function($n) { $n <= 0 ? 0 : 1 + $depth($n - 1) }; $depth(7))';
    expect(compiled(source).evaluate({}, {}, budget)).toBe(7);
    expect(budget.entered).toHaveLength(8);
    expect(new Set(budget.entered.map((node) => node.type))).toEqual(new Set(['lambda']));
    expect(budget.open).toBe(0);
    expect(deepest).toBe(8);
  });

  it('lets a budget abort pass through object members without waiting for the others', () => {
    const budget = countingBudget(50);
    const source = '{ "a": $reduce([1..1000], function($x, $y) { $x + $y }), "b": $error("never reached first") }';
    expect(() => compiled(source).evaluate({}, {}, budget)).toThrow(EvaluationFault);
  });
});

describe('gateway built-ins', () => {
  it('get the evaluation context binding through `this`, and their faults propagate unchanged', () => {
    const seen: unknown[] = [];
    const functions: CompilerFunction[] = [
      {
        name: 'tenant',
        signature: '<s:s>',
        implementation: function (this: JsonataFocus, prefix: string) {
          const context = readEvaluationContext(this) as unknown as { tenant: string };
          seen.push(this.input);
          return `${prefix}-${context.tenant}`;
        } as unknown as (...args: never[]) => unknown,
      },
      {
        name: 'refuse',
        implementation: (() => {
          throw new EvaluationFault('rejected', 'refused', {
            rejection: { code: 'invalidValue', propertyPath: '/a', reason: 'no' },
          });
        }) as unknown as (...args: never[]) => unknown,
      },
    ];
    const context = { tenant: 'acme' };
    expect(
      plain(compiled('items.$tenant(name)', functions).evaluate({ items: [{ name: 'x' }, { name: 'y' }] }, { [CONTEXT_BINDING]: context })),
    ).toEqual(['x-acme', 'y-acme']);
    expect(seen).toEqual([{ name: 'x' }, { name: 'y' }]);
    let fault: unknown;
    try {
      compiled('{ "a": $refuse() }', functions).evaluate({}, {});
    } catch (err) {
      fault = err;
    }
    expect(fault).toBeInstanceOf(EvaluationFault);
    expect((fault as EvaluationFault).rejection).toEqual({ code: 'invalidValue', propertyPath: '/a', reason: 'no' });
  });

  it('validate their arguments against their signature', () => {
    const functions: CompilerFunction[] = [
      {
        name: 'shout',
        signature: '<s:s>',
        implementation: ((s: string) => s.toUpperCase()) as (...args: never[]) => unknown,
      },
    ];
    expect(() => compiled('$shout(1)', functions).evaluate({}, {})).toThrow(expect.objectContaining({ code: 'T0410' }) as unknown as Error);
  });
});

describe('compileJsonata', () => {
  it("throws the parser's syntax error instead of declining", () => {
    const source = '{ "a": ';
    let expected: { code?: string; position?: number } | undefined;
    try {
      jsonata(source);
    } catch (err) {
      expected = err as typeof expected;
    }
    expect(expected?.code).toMatch(/^S0/);
    expect(() => compileJsonata(source)).toThrow(
      expect.objectContaining({ code: expected?.code, position: expected?.position }) as unknown as Error,
    );
  });

  it('declines, with a reason, an AST node it does not know', () => {
    // every node type the parser produces is compiled; one from a future parser is declined, not guessed
    const ast = { type: 'block', position: 1, expressions: [{ type: 'future-node', position: 1 }] };
    expect(compileAst(ast as unknown as AstNode)).toEqual({
      ok: false,
      reason: 'the compiler does not handle JSONata node type "future-node"',
    });
  });
});
