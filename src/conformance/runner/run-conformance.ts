/**
 * Plays a loaded conformance suite against a seller, case by case in file order, and judges each answer: status,
 * the official spec of the release for that status, the Sonata error for negative cases, expected values, and
 * "eventually" states reached by polling. Functions the seller does not offer are skipped, not failed.
 */
import { errataFor, type SpecErratum } from '../spec-errata.js';
import type { SpecCatalog, SpecIssue } from '../openapi-validator.js';
import type { CaseFile, CaseRequest, ConformanceCase, ConformanceSuite } from './case-files.js';
import { fillTemplate, missingPlaceholders, type TemplateValues } from './case-template.js';
import { checkExpectations, describeExpectation, resolvePointer, showValue, type ValueExpectation } from './expectations.js';
import type { Exchange, SellerClient } from './seller-client.js';

export type CaseOutcome = 'pass' | 'fail' | 'skip';

export interface CaseResult {
  readonly id: string;
  readonly title: string;
  readonly function: string;
  readonly kind: 'positive' | 'negative';
  readonly source: string;
  readonly outcome: CaseOutcome;
  /** why it failed or was skipped (the first problem, or a short summary) */
  readonly reason?: string;
  /** every problem found, each an "expected vs actual" line or a spec violation with its path */
  readonly failures: readonly string[];
  /** what the case expects, one line each (status, error, values), for the reports */
  readonly expected: readonly string[];
  /** the main exchange, then the last poll of an eventually check */
  readonly exchanges: readonly Exchange[];
  readonly durationMs: number;
  readonly verifies?: string;
}

export interface FunctionSummary {
  readonly function: string;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly durationMs: number;
}

export interface ConformanceReport {
  readonly partner: string;
  readonly release: string;
  /** the SDK folder whose specs validated the answers */
  readonly specRelease: string;
  readonly baseUrl: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly cases: readonly CaseResult[];
  readonly functions: readonly FunctionSummary[];
  readonly totals: {
    readonly passed: number;
    readonly failed: number;
    readonly skipped: number;
    readonly total: number;
  };
  /** corrections to the official files the answers were validated with (mappings/spec-errata.yaml), for the APIs run */
  readonly errata: readonly SpecErratum[];
}

/** Hooks for progress output; the runner itself writes nothing. */
export interface ConformanceProgress {
  onStart?(info: { total: number; partner: string; release: string; baseUrl: string }): void;
  onCaseStart?(c: ConformanceCase, index: number): void;
  onCaseDone?(result: CaseResult, index: number): void;
}

export interface RunConformanceOptions {
  /** the loaded cases of one release (`loadConformanceSuite`) */
  suite: ConformanceSuite;
  /** sends the requests, already holding the credentials */
  client: SellerClient;
  /** official specs; every answer is validated against `suite.specRelease` */
  specs: SpecCatalog;
  /** partner id as named in the reports */
  partner: string;
  /** values for `${buyerId}`, `${sellerId}` and overrides of file vars (`--var`) */
  vars?: Readonly<Record<string, unknown>>;
  progress?: ConformanceProgress;
  /** injectable clock and waiting (tests); defaults: real time */
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

const NOT_OFFERED = new Set([404, 501]);

/** What the case expects, with placeholders filled where their values are known (as the reports show it). */
function describeCase(raw: ConformanceCase, values: TemplateValues, now: Date): string[] {
  let c = raw;
  try {
    c = {
      ...raw,
      expect: fillTemplate(raw.expect, values, now),
      ...(raw.eventually && { eventually: fillTemplate(raw.eventually, values, now) }),
    };
  } catch {
    /* a skipped case: show the templates */
  }
  const lines = [`status ${c.expect.status.join(' or ')}, body valid against ${c.expect.operationId} for that status`];
  if (c.expect.error)
    lines.push(
      `Sonata error code ${c.expect.error.code}${c.expect.error.propertyPath !== undefined ? ` at propertyPath ${c.expect.error.propertyPath}` : ''}`,
    );
  for (const [pointer, e] of Object.entries(c.expect.values)) lines.push(`${pointer || '(body)'} ${describeExpectation(e)}`);
  for (const [name, e] of Object.entries(c.expect.headers)) lines.push(`header ${name} ${describeExpectation(e)}`);
  if (c.eventually) {
    const until = Object.entries(c.eventually.until)
      .map(([p, e]) => `${p} ${describeExpectation(e)}`)
      .join(', ');
    lines.push(
      `eventually (within ${c.eventually.timeoutMs} ms): ${c.eventually.request.method} ${c.eventually.request.path} shows ${until}`,
    );
  }
  return lines;
}

function errorBodyProblems(status: number, body: unknown, expected: NonNullable<ConformanceCase['expect']['error']>): string[] {
  if (status === 422) {
    const entries = Array.isArray(body) ? (body as Array<Record<string, unknown>>) : [];
    const match = entries.some(
      (e) => e?.code === expected.code && (expected.propertyPath === undefined || e?.propertyPath === expected.propertyPath),
    );
    if (match) return [];
    const got = entries.map((e) => `${String(e?.code)} at ${String(e?.propertyPath)}`).join('; ') || showValue(body);
    return [
      `error: expected an entry with code ${expected.code}${expected.propertyPath !== undefined ? ` at propertyPath ${expected.propertyPath}` : ''}, got ${got}`,
    ];
  }
  const code = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>).code : undefined;
  return code === expected.code ? [] : [`error: expected code ${expected.code}, got ${showValue(code)}`];
}

function specProblems(issues: readonly SpecIssue[], operationId: string, specRelease: string): string[] {
  return issues
    .slice(0, 20)
    .map((i) => `spec (${specRelease} ${operationId}): ${i.path || '(body)'} ${i.message}`)
    .concat(issues.length > 20 ? [`spec: ${issues.length - 20} more violation(s)`] : []);
}

function headerProblems(headers: Readonly<Record<string, string>>, expected: Readonly<Record<string, ValueExpectation>>): string[] {
  const lower = Object.fromEntries(Object.entries(expected).map(([k, v]) => [`/${k.toLowerCase()}`, v]));
  return checkExpectations(headers, lower).map((p) => `header ${p.slice(1)}`);
}

/** Problems with one answer, judged against a status list, an operation's spec, and expected values. */
function judge(
  exchange: Exchange,
  statuses: readonly number[],
  operationId: string,
  c: ConformanceCase,
  specs: SpecCatalog,
  specRelease: ConformanceSuite['specRelease'],
  values: Readonly<Record<string, ValueExpectation>>,
  withError: boolean,
): string[] {
  const res = exchange.response;
  if (!res) return [`no answer: ${exchange.error ?? 'unknown transport failure'}`];
  const problems: string[] = [];
  if (!statuses.includes(res.status))
    problems.push(`status: expected ${statuses.join(' or ')}, got ${res.status}${describeErrorBody(res.body)}`);
  if (res.body !== undefined && !res.json) problems.push(`body is not JSON: ${showValue(res.body)}`);
  else if (res.body !== undefined && !/^application\/json\b/i.test(res.headers['content-type'] ?? '')) {
    problems.push(`content-type: expected application/json, got ${showValue(res.headers['content-type'])}`);
  }
  const op = specs.api(specRelease, c.api)?.operationById(operationId);
  if (op && res.json) problems.push(...specProblems(op.validateResponseBody(res.status, res.body), operationId, specRelease));
  // values are only meaningful on the expected kind of answer; a wrong status already says what went wrong
  if (statuses.includes(res.status)) {
    if (withError && c.expect.error) problems.push(...errorBodyProblems(res.status, res.body, c.expect.error));
    problems.push(...checkExpectations(res.body, values));
    if (withError) problems.push(...headerProblems(res.headers, c.expect.headers));
  }
  return problems;
}

function describeErrorBody(body: unknown): string {
  const first = Array.isArray(body) ? body[0] : body;
  if (first === null || typeof first !== 'object') return '';
  const e = first as Record<string, unknown>;
  const text = [e.code, e.propertyPath, e.reason].filter((v) => typeof v === 'string').join(' ');
  return text ? ` (${text.slice(0, 200)})` : '';
}

function toRequest(request: CaseRequest, apiBase: string, values: TemplateValues, now: Date): CaseRequest {
  const filled = fillTemplate(request, values, now);
  return { ...filled, path: `${apiBase}${filled.path}` };
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function summarise(cases: readonly CaseResult[]): FunctionSummary[] {
  const by = new Map<string, { passed: number; failed: number; skipped: number; durationMs: number }>();
  for (const r of cases) {
    const s = by.get(r.function) ?? { passed: 0, failed: 0, skipped: 0, durationMs: 0 };
    if (r.outcome === 'pass') s.passed++;
    else if (r.outcome === 'fail') s.failed++;
    else s.skipped++;
    s.durationMs += r.durationMs;
    by.set(r.function, s);
  }
  // by name, like the suite's function list: a function's cases may sit in several files (product order, charges)
  return [...by.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([fn, s]) => ({ function: fn, ...s }));
}

/** A unique token per run, for `externalId`s that list filters can find again. */
function createRunId(now: Date): string {
  return `cf-${now.getTime().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

/**
 * Runs the suite and returns the report; never throws for a seller's behaviour (that is a FAIL), only for
 * programming errors. Cases of one file share captured values; files are independent.
 */
export async function runConformance(opts: RunConformanceOptions): Promise<ConformanceReport> {
  const now = opts.now ?? (() => new Date());
  const sleep = opts.sleep ?? realSleep;
  const started = now();
  const startedMs = performance.now();
  const runId = createRunId(started);
  const total = opts.suite.files.reduce((n, f) => n + f.cases.length, 0);
  opts.progress?.onStart?.({ total, partner: opts.partner, release: opts.suite.release, baseUrl: opts.client.baseUrl });
  const results: CaseResult[] = [];

  const runFile = async (file: CaseFile): Promise<void> => {
    const values: Record<string, unknown> = { runId };
    for (const [k, v] of Object.entries(file.vars)) values[k] = v;
    for (const [k, v] of Object.entries(opts.vars ?? {})) if (v !== undefined) values[k] = v;
    const producers = new Map<string, string>();
    let notOffered: string | undefined;
    let first = true;

    for (const c of file.cases) {
      const index = results.length;
      opts.progress?.onCaseStart?.(c, index);
      const caseStarted = performance.now();
      const expected = describeCase(c, values, now());
      const base = {
        id: c.id,
        title: c.title,
        function: c.function,
        kind: c.kind,
        source: c.source,
        expected,
        ...(c.verifies !== undefined && { verifies: c.verifies }),
      };
      const finish = (outcome: CaseOutcome, failures: string[], exchanges: Exchange[], reason?: string): void => {
        const result: CaseResult = {
          ...base,
          outcome,
          failures,
          exchanges,
          durationMs: Math.round(performance.now() - caseStarted),
          ...((reason ?? failures[0]) !== undefined && { reason: reason ?? failures[0] }),
        };
        results.push(result);
        opts.progress?.onCaseDone?.(result, index);
      };

      if (notOffered) {
        finish('skip', [], [], notOffered);
        continue;
      }
      const missing = missingPlaceholders([c.request, c.expect], values);
      if (missing.length) {
        const from = missing.map((m) =>
          producers.has(m) ? `\${${m}} (captured by ${producers.get(m)}, which did not yield it)` : `\${${m}} (its case did not run)`,
        );
        finish('skip', [], [], `needs ${from.join(', ')}`);
        continue;
      }

      const exchange = await opts.client.send(toRequest(c.request, c.apiBase, values, now()));
      const status = exchange.response?.status;
      const wasFirst = first;
      first = false;
      if (status !== undefined && !c.expect.status.includes(status)) {
        if (wasFirst && NOT_OFFERED.has(status)) {
          notOffered = `${c.function} is not offered by this seller: its first case ${c.id} was answered ${status}${describeErrorBody(exchange.response?.body)}`;
          finish('skip', [], [exchange], notOffered);
          continue;
        }
        if (c.optional && status === 501) {
          finish(
            'skip',
            [],
            [exchange],
            `optional operation not offered by this seller: answered 501${describeErrorBody(exchange.response?.body)}`,
          );
          continue;
        }
      }

      const expectedValues = fillTemplate(c.expect.values, values, now());
      const failures = judge(exchange, c.expect.status, c.expect.operationId, c, opts.specs, opts.suite.specRelease, expectedValues, true);
      // capture what is there even when some check failed, so one wrong value does not hide the cases after it
      for (const name of Object.keys(c.capture)) producers.set(name, c.id);
      if (exchange.response && status !== undefined && c.expect.status.includes(status)) {
        for (const [name, pointer] of Object.entries(c.capture)) {
          const found = resolvePointer(exchange.response.body, pointer)[0];
          if (found !== undefined) values[name] = found.value;
        }
      }
      const exchanges = [exchange];
      // a seller may answer at once what was asked for later (e.g. a deferred request answered immediately): then
      // there is nothing to wait for, and the poll's placeholders may legitimately be missing (no id was needed)
      const until = c.eventually && fillTemplate(c.eventually.until, values, now());
      const alreadyThere = until !== undefined && checkExpectations(exchange.response?.body, until).length === 0;
      const unfillable = c.eventually ? missingPlaceholders([c.eventually.request, c.eventually.until], values) : [];
      if (failures.length === 0 && c.eventually && until && !alreadyThere && unfillable.length > 0) {
        failures.push(`eventually: cannot poll, the answer gave no value for ${unfillable.map((n) => `\${${n}}`).join(', ')}`);
      } else if (failures.length === 0 && c.eventually && until && !alreadyThere) {
        const ev = c.eventually;
        const request = toRequest(ev.request, c.apiBase, values, now());
        const deadline = performance.now() + ev.timeoutMs;
        // bounded by count as well as time, so an injected sleep cannot make it spin
        const maxPolls = Math.ceil(ev.timeoutMs / ev.intervalMs) + 1;
        let polls = 0;
        let last: Exchange | undefined;
        let permanent: string[];
        let lagging: string[];
        for (;;) {
          last = await opts.client.send(request);
          polls++;
          // a wrong status or a spec violation while polling fails at once; only the awaited values may lag
          permanent = judge(last, [200], ev.operationId, c, opts.specs, opts.suite.specRelease, {}, false);
          lagging = permanent.length === 0 ? checkExpectations(last.response?.body, until) : [];
          if (permanent.length > 0 || lagging.length === 0 || polls >= maxPolls || performance.now() + ev.intervalMs > deadline) break;
          await sleep(ev.intervalMs);
        }
        exchanges.push(last);
        failures.push(...permanent.map((p) => `eventually: ${p}`));
        failures.push(...lagging.map((p) => `eventually (still after ${polls} poll(s) in ${ev.timeoutMs} ms): ${p}`));
      }
      finish(failures.length ? 'fail' : 'pass', failures, exchanges);
    }
  };

  for (const file of opts.suite.files) await runFile(file);

  const count = (o: CaseOutcome) => results.filter((r) => r.outcome === o).length;
  return {
    partner: opts.partner,
    release: opts.suite.release,
    specRelease: opts.suite.specRelease,
    baseUrl: opts.client.baseUrl,
    startedAt: started.toISOString(),
    durationMs: Math.round(performance.now() - startedMs),
    cases: results,
    functions: summarise(results),
    totals: { passed: count('pass'), failed: count('fail'), skipped: count('skip'), total: results.length },
    errata: errataFor(
      opts.specs.errata,
      opts.suite.specRelease,
      opts.suite.files.flatMap((f) => f.cases.map((c) => c.api)),
    ),
  };
}
