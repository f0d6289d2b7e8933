/**
 * Conformance runs from the console: the cases of one release played against this gateway's own main port as one
 * of its partners (src/conformance/runner, as `sonata-gateway conformance` does), one run at a time.
 */
import { join } from 'node:path';
import type { GatewayConfig } from '../config/config-schema.js';
import { ConfigError } from '../config/yaml-source.js';
import { createSpecCatalog, type SpecCatalog } from '../conformance/openapi-validator.js';
import { loadConformanceSuite } from '../conformance/runner/case-files.js';
import { resolveConformanceTarget } from '../conformance/runner/resolve-target.js';
import { runConformance } from '../conformance/runner/run-conformance.js';
import { createSellerClient } from '../conformance/runner/seller-client.js';
import { loadSpecErrata } from '../conformance/spec-errata.js';
import { GatewayError } from '../errors/catalogue.js';

/** The answer of `POST /console/api/conformance/runs`. */
export interface ConsoleConformanceRun {
  readonly partnerId: string;
  readonly release: string;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly cases: readonly {
    name: string;
    function: string;
    status: 'passed' | 'failed' | 'skipped';
    reason?: string;
    ms: number;
  }[];
}

/** Runs the cases of a partner and release against this gateway. */
export interface ConsoleConformance {
  run(opts: { partnerId: string; release?: string; functions?: readonly string[] }): Promise<ConsoleConformanceRun>;
}

const STATUS = { pass: 'passed', fail: 'failed', skip: 'skipped' } as const;

/** Creates the runner; `mainUrl` is this gateway's main listener once it listens. */
export function createConsoleConformance(opts: {
  config: GatewayConfig;
  /** variables with secrets resolved (config/<env>.env under the process environment, `*_FILE` read) */
  variables: () => Readonly<Record<string, string | undefined>>;
  mainUrl: () => string | undefined;
}): ConsoleConformance {
  let specs: SpecCatalog | undefined;
  let running = false;
  return {
    async run({ partnerId, release, functions }) {
      const baseUrl = opts.mainUrl();
      if (!baseUrl) throw new GatewayError('console.invalid-request', 'the gateway is not listening yet');
      if (!opts.config.sdkDir)
        throw new GatewayError('console.invalid-request', 'sdkDir is not configured: conformance needs the MEF Sonata SDK');
      if (running) throw new GatewayError('resource.busy', 'A conformance run is in progress; wait for it to finish');
      running = true;
      try {
        const target = resolveConformanceTarget({
          rootDir: opts.config.rootDir,
          partnerId,
          release,
          baseUrl,
          env: opts.config.env,
          processEnv: opts.variables(),
        });
        specs ??= createSpecCatalog({
          sdkDir: opts.config.sdkDir,
          errata: loadSpecErrata(join(opts.config.paths.mappings, 'spec-errata.yaml')),
        });
        const suite = loadConformanceSuite({
          casesDir: join(opts.config.paths.mappings, 'conformance'),
          family: target.family,
          release: target.release,
          aliases: target.aliases,
          specs,
          specRelease: target.specRelease,
          ...(functions && { functions: [...functions] }),
        });
        const client = createSellerClient({
          baseUrl: target.baseUrl,
          tokenUrl: target.tokenUrl,
          clientId: target.clientId,
          clientSecret: target.clientSecret,
          ...(target.scope && { scope: target.scope }),
          timeoutMs: target.timeoutMs ?? 15_000,
        });
        const report = await runConformance({
          suite,
          client,
          specs,
          partner: target.partner,
          vars: { buyerId: target.buyerId, sellerId: target.sellerId },
        });
        return {
          partnerId,
          release: report.release,
          passed: report.totals.passed,
          failed: report.totals.failed,
          skipped: report.totals.skipped,
          cases: report.cases.map((c) => ({
            name: `${c.id} ${c.title}`,
            function: c.function,
            status: STATUS[c.outcome],
            ms: Math.round(c.durationMs),
            ...(c.reason !== undefined && { reason: c.reason }),
          })),
        };
      } catch (err) {
        if (err instanceof ConfigError) throw new GatewayError('console.invalid-request', err.message);
        if (err instanceof Error && /^(cannot get a token|Sonata SDK folder|unknown (release|function))/.test(err.message))
          throw new GatewayError('console.invalid-request', err.message);
        throw err;
      } finally {
        running = false;
      }
    },
  };
}
