import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileJsonata } from '../../src/mapping/compiler/index.js';
import {
  jsonataSuiteDir,
  jsonataSuiteExists,
  loadJsonataSuite,
  runCaseWithCompiler,
  runCaseWithInterpreter,
  type CaseOutcome,
  type SuiteCase,
} from '../support/jsonata-suite-runner.js';

/*
 * JSONata's own language test suite (1,686 cases) through the compiler (issue 12). Every case must agree with the
 * suite or be listed, with a reason, in jsonata-suite-known-differences.yaml; a declined expression counts as a
 * difference. JSONATA_SUITE_ENGINE=interpreter runs the same cases through the jsonata interpreter instead, with
 * no known differences: that proves the runner (the interpreter agrees with every case).
 */

const ENGINE = process.env.JSONATA_SUITE_ENGINE === 'interpreter' ? 'interpreter' : 'compiler';
const KNOWN_DIFFERENCES_FILE = join(import.meta.dirname, 'jsonata-suite-known-differences.yaml');
const MIN_AGREEMENT = 0.99;
/** generous: a case's own timelimit is at most 10 s, and a synchronous compiled evaluation cannot be cut short */
const GROUP_TIMEOUT_MS = 120_000;

interface KnownDifference {
  case: string;
  reason: string;
}

function readKnownDifferences(): Map<string, string> {
  const parsed: unknown = parse(readFileSync(KNOWN_DIFFERENCES_FILE, 'utf8')) ?? [];
  if (!Array.isArray(parsed)) throw new Error(`${KNOWN_DIFFERENCES_FILE}: expected a list of { case, reason }`);
  const known = new Map<string, string>();
  parsed.forEach((entry: Partial<KnownDifference> | null, i) => {
    if (typeof entry?.case !== 'string' || typeof entry.reason !== 'string' || entry.reason.trim() === '') {
      throw new Error(`${KNOWN_DIFFERENCES_FILE}: entry ${i + 1} needs a case ("<group>/<file>") and a reason`);
    }
    if (known.has(entry.case)) throw new Error(`${KNOWN_DIFFERENCES_FILE}: ${entry.case} is listed twice`);
    known.set(entry.case, entry.reason);
  });
  return known;
}

function skipReason(dir: string): string | undefined {
  if (!jsonataSuiteExists(dir)) {
    if (process.env.CI) return undefined; // CI must run the suite: the test fails below instead
    return `JSONata test suite not found at ${dir} (set JSONATA_TEST_SUITE_DIR to the folder holding groups/ and datasets/)`;
  }
  if (ENGINE === 'compiler') {
    const probe = compileJsonata('1');
    if (!probe.ok)
      return `the compiler is not built yet: compileJsonata('1') declines (${probe.reason}); JSONATA_SUITE_ENGINE=interpreter runs the suite through the interpreter`;
  }
  return undefined;
}

function describeOutcome(testCase: SuiteCase, outcome: CaseOutcome): string {
  const expr = testCase.expr.replace(/\s+/g, ' ').trim();
  const shortExpr = expr.length > 80 ? `${expr.slice(0, 79)}…` : expr;
  if (outcome.status === 'declined') return `${testCase.id} (${shortExpr}): declined: ${outcome.reason}`;
  if (outcome.status === 'disagree') return `${testCase.id} (${shortExpr}): expected ${outcome.expected}, got ${outcome.got}`;
  return `${testCase.id}: agrees`;
}

const dir = jsonataSuiteDir();
const skip = skipReason(dir);

describe(`JSONata test suite through the ${ENGINE}`, () => {
  if (skip !== undefined) {
    it('runs every case of the suite', (ctx) => {
      console.warn(`JSONata test suite skipped: ${skip}`);
      ctx.skip(skip);
    });
    return;
  }
  if (!jsonataSuiteExists(dir)) {
    it('finds the suite (CI is set, so it must run)', () => {
      throw new Error(`JSONata test suite not found at ${dir}: set JSONATA_TEST_SUITE_DIR to the folder holding groups/ and datasets/`);
    });
    return;
  }

  const suite = loadJsonataSuite(dir);
  // the interpreter is the reference: it has no known differences
  const known = ENGINE === 'compiler' ? readKnownDifferences() : new Map<string, string>();
  const outcomes = new Map<string, CaseOutcome>();
  const groups = [...new Set(suite.cases.map((c) => c.group))];

  async function outcomeOf(testCase: SuiteCase): Promise<CaseOutcome> {
    let outcome = outcomes.get(testCase.id);
    if (outcome === undefined) {
      outcome =
        ENGINE === 'compiler' ? runCaseWithCompiler(suite, testCase, compileJsonata) : await runCaseWithInterpreter(suite, testCase);
      outcomes.set(testCase.id, outcome);
    }
    return outcome;
  }

  for (const group of groups) {
    it(
      `agrees with group ${group}, apart from its listed differences`,
      async () => {
        const unlisted: string[] = [];
        const stale: string[] = [];
        for (const testCase of suite.cases.filter((c) => c.group === group)) {
          const outcome = await outcomeOf(testCase);
          if (outcome.status !== 'agree' && !known.has(testCase.id)) unlisted.push(describeOutcome(testCase, outcome));
          if (outcome.status === 'agree' && known.has(testCase.id)) stale.push(`${testCase.id} (listed: ${known.get(testCase.id)})`);
        }
        const problems = [
          ...(unlisted.length
            ? [`${unlisted.length} case(s) disagree and are not in jsonata-suite-known-differences.yaml:`, ...unlisted]
            : []),
          ...(stale.length
            ? [`${stale.length} listed case(s) now agree; remove them from jsonata-suite-known-differences.yaml:`, ...stale]
            : []),
        ];
        if (problems.length > 0) expect.fail(problems.join('\n'));
      },
      GROUP_TIMEOUT_MS,
    );
  }

  it('lists only cases the suite has', () => {
    const ids = new Set(suite.cases.map((c) => c.id));
    expect(
      [...known.keys()].filter((id) => !ids.has(id)),
      'known differences naming no case of the suite',
    ).toEqual([]);
  });

  it(
    `agrees with at least ${MIN_AGREEMENT * 100}% of the suite`,
    async () => {
      let agree = 0;
      for (const testCase of suite.cases) if ((await outcomeOf(testCase)).status === 'agree') agree++;
      expect(agree / suite.cases.length, `${agree}/${suite.cases.length} cases agree`).toBeGreaterThanOrEqual(MIN_AGREEMENT);
    },
    GROUP_TIMEOUT_MS,
  );

  afterAll(() => {
    if (outcomes.size === 0) return;
    const rows = groups.map((group) => {
      const cases = suite.cases.filter((c) => c.group === group && outcomes.has(c.id));
      return {
        group,
        cases: cases.length,
        agree: cases.filter((c) => outcomes.get(c.id)!.status === 'agree').length,
        listed: cases.filter((c) => known.has(c.id)).length,
      };
    });
    const width = Math.max(...groups.map((g) => g.length));
    const total = rows.reduce((sum, r) => ({ cases: sum.cases + r.cases, agree: sum.agree + r.agree, listed: sum.listed + r.listed }), {
      cases: 0,
      agree: 0,
      listed: 0,
    });
    const line = (g: string, c: number | string, a: number | string, l: number | string) =>
      `${g.padEnd(width)}  ${String(c).padStart(5)}  ${String(a).padStart(5)}  ${String(l).padStart(6)}`;
    console.log(
      [
        `JSONata test suite through the ${ENGINE} (${dir}):`,
        line('group', 'cases', 'agree', 'listed'),
        ...rows.filter((r) => r.cases > 0).map((r) => line(r.group, r.cases, r.agree, r.listed)),
        line('total', total.cases, total.agree, total.listed),
        `agreement ${total.agree}/${total.cases} (${((100 * total.agree) / Math.max(1, total.cases)).toFixed(2)}%)`,
      ].join('\n'),
    );
  });
});
