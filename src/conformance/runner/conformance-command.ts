/**
 * `sonata-gateway conformance`: resolves who we act as, loads the case files of the release, plays them against
 * the seller with progress output, prints the summary table and writes the JUnit and HTML reports.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../../config/yaml-source.js';
import { loadSpecErrata } from '../spec-errata.js';
import { createSpecCatalog, type SpecCatalog } from '../openapi-validator.js';
import { loadConformanceSuite } from './case-files.js';
import { createProgressReporter, formatSummaryTable } from './console-output.js';
import { renderHtmlReport } from './html-report.js';
import { renderJunitReport } from './junit-report.js';
import { resolveConformanceTarget } from './resolve-target.js';
import { runConformance, type ConformanceReport } from './run-conformance.js';
import { createSellerClient } from './seller-client.js';
import { errorMessage } from '../../json/unknown-values.js';

/** Options of the command, in node:util parseArgs form (the CLI merges them into its own). */
export const CONFORMANCE_OPTIONS = {
  'base-url': { type: 'string' },
  partner: { type: 'string' },
  release: { type: 'string' },
  functions: { type: 'string' },
  sdk: { type: 'string' },
  junit: { type: 'string' },
  html: { type: 'string' },
  cases: { type: 'string' },
  var: { type: 'string', multiple: true },
  'timeout-ms': { type: 'string' },
} as const;

export const CONFORMANCE_USAGE = `  conformance --base-url URL --partner P   play the Sonata conformance cases (positive and negative, per business
        function) against a running seller as partner P; exit 0 only when no case failed
        --release R                        release to test (default: the partner's)
        --functions a,b                    only these functions (e.g. addressValidation,quote)
        --sdk DIR                          MEF Sonata SDK folder (default: SONATA_SDK_DIR or ../shared/sonata-sdk)
        --junit FILE, --html FILE          write JUnit XML / a self-contained HTML report
        --cases DIR                        case folder (default: mappings/conformance)
        --var name=value                   override a case file variable (repeatable; JSON for objects)
        --timeout-ms N                     per request (default 15000)
`;

/** Parsed command-line values the command reads (see {@link CONFORMANCE_OPTIONS}). */
export interface ConformanceCommandValues {
  'base-url'?: string;
  partner?: string;
  release?: string;
  functions?: string;
  sdk?: string;
  junit?: string;
  html?: string;
  cases?: string;
  var?: string[];
  'timeout-ms'?: string;
}

export interface ConformanceCommandContext {
  /** project folder (partners/, mappings/, config/) */
  rootDir: string;
  /** environment whose `config/<env>.env` holds demo secrets */
  env: string;
  processEnv: Readonly<Record<string, string | undefined>>;
  out: (s: string) => void;
  err: (s: string) => void;
  /** stdout is a terminal: show a live counter */
  isTTY?: boolean;
  /** a catalog already built (tests share one across runs); otherwise built from --sdk */
  specs?: SpecCatalog;
  /** receives the report (tests assert on it without parsing files) */
  onReport?: (report: ConformanceReport) => void;
}

function usageError(ctx: ConformanceCommandContext, message: string): number {
  ctx.err(`${message}\n\nusage:\n${CONFORMANCE_USAGE}`);
  return 2;
}

function writeFile(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** Runs the command; returns the exit code (0 no case failed, 1 failures or a setup problem, 2 usage, 3 seller unreachable). */
export async function runConformanceCommand(values: ConformanceCommandValues, ctx: ConformanceCommandContext): Promise<number> {
  if (!values.partner) return usageError(ctx, 'conformance needs --partner');
  const vars: Record<string, unknown> = {};
  for (const pair of values.var ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return usageError(ctx, `--var ${pair}: expected name=value`);
    const text = pair.slice(eq + 1);
    // objects and arrays (e.g. another product configuration) are given as JSON; everything else stays text
    if (/^\s*[[{]/.test(text)) {
      try {
        vars[pair.slice(0, eq)] = JSON.parse(text);
      } catch (err) {
        return usageError(ctx, `--var ${pair.slice(0, eq)}: not valid JSON: ${errorMessage(err)}`);
      }
    } else {
      vars[pair.slice(0, eq)] = text;
    }
  }
  const timeoutMs = values['timeout-ms'] === undefined ? undefined : Number(values['timeout-ms']);
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0))
    return usageError(ctx, '--timeout-ms must be a positive integer');
  const functions = values.functions
    ?.split(',')
    .map((f) => f.trim())
    .filter(Boolean);

  let report: ConformanceReport;
  try {
    const target = resolveConformanceTarget({
      rootDir: ctx.rootDir,
      partnerId: values.partner,
      release: values.release,
      baseUrl: values['base-url'],
      env: ctx.env,
      processEnv: ctx.processEnv,
    });
    const specs =
      ctx.specs ??
      createSpecCatalog({
        sdkDir: values.sdk ?? ctx.processEnv.SONATA_SDK_DIR ?? resolve(ctx.rootDir, '..', 'shared', 'sonata-sdk'),
        errata: loadSpecErrata(resolve(ctx.rootDir, 'mappings', 'spec-errata.yaml')),
      });
    const suite = loadConformanceSuite({
      casesDir: values.cases ? resolve(values.cases) : resolve(ctx.rootDir, 'mappings', 'conformance'),
      family: target.family,
      release: target.release,
      aliases: target.aliases,
      specs,
      specRelease: target.specRelease,
      functions,
    });
    const client = createSellerClient({
      baseUrl: target.baseUrl,
      tokenUrl: target.tokenUrl,
      clientId: target.clientId,
      clientSecret: target.clientSecret,
      ...(target.scope && { scope: target.scope }),
      timeoutMs: timeoutMs ?? target.timeoutMs ?? 15_000,
    });
    // a refused token fails every case the same way: say it once, before anything runs
    await client.token();
    report = await runConformance({
      suite,
      client,
      specs,
      partner: target.partner,
      vars: { buyerId: target.buyerId, sellerId: target.sellerId, ...vars },
      progress: createProgressReporter({ write: ctx.out, tty: ctx.isTTY ?? false }),
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      ctx.err(`${err.message}\n`);
      return 1;
    }
    // no answer at all from the token endpoint (refused, reset, timed out): unreachable, exit 3
    if (err instanceof Error && /^cannot get a token from \S+: /.test(err.message)) {
      ctx.err(`${err.message}\n`);
      return 3;
    }
    if (err instanceof Error && /^(cannot get a token|Sonata SDK folder)/.test(err.message)) {
      ctx.err(`${err.message}\n`);
      return 1;
    }
    throw err;
  }

  ctx.out(formatSummaryTable(report));
  if (values.junit) {
    writeFile(resolve(values.junit), renderJunitReport(report));
    ctx.out(`JUnit XML: ${values.junit}\n`);
  }
  if (values.html) {
    writeFile(resolve(values.html), renderHtmlReport(report));
    ctx.out(`HTML report: ${values.html}\n`);
  }
  ctx.onReport?.(report);
  if (report.totals.total > 0 && report.totals.passed === 0 && report.totals.failed === 0) {
    // every function skipped: almost always a wrong --base-url or release, never a conformant seller
    ctx.err('no case passed: every function was skipped as not offered (check --base-url and the release)\n');
    return 1;
  }
  return report.totals.failed > 0 ? 1 : 0;
}
