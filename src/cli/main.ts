import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { environmentVariables, loadConfig } from '../config/load-config.js';
import { environmentName } from '../config/secrets.js';
import { ConfigError, displayPath } from '../config/yaml-source.js';
import { createMappingEngine, type MappingEngine, type MappingEngineKind } from '../mapping/engine.js';
import { MappingError } from '../mapping/errors.js';
import { loadRegistry } from '../registry/load-registry.js';
import type { Registry } from '../registry/registry.js';
import { runRegistryFixtures } from '../registry/run-fixtures.js';
import { CONFORMANCE_OPTIONS, CONFORMANCE_USAGE, runConformanceCommand } from '../conformance/runner/conformance-command.js';

const USAGE = `usage: sonata-gateway <command> [options]

commands:
  check                                    validate every config, partner and mapping file as production loads them;
                                           lists the mappings that run interpreted under the compiled engine, and why
  map --partner P --mapping M --input F    run one mapping on a JSON file and print the output (or the error)
        M: a file relative to the partner folder (mappings/x.jsonata), or <operationId>.request|response
        --bindings '{"k":"v"}'             extra $bindings
        --engine compiled|interpreted      how to run it (default: the config's mapping.engine)
        --compare                          run it both ways and print both results and whether they agree
  test [--partner P]                       run every mapping fixture
${CONFORMANCE_USAGE}
options:
  --root DIR    project folder (default: current folder)
  --env NAME    environment (default: GATEWAY_ENV or demo)
`;

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /** stdout is a terminal (live progress counters) */
  isTTY?: boolean;
}

/** Entry of `npx sonata-gateway`; returns the exit code (0 ok, 1 problems found, 2 usage). */
export async function runCli(argv: string[], io: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), isTTY: process.stdout.isTTY }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        root: { type: 'string' }, env: { type: 'string' }, mapping: { type: 'string' },
        input: { type: 'string' }, bindings: { type: 'string' }, help: { type: 'boolean', short: 'h' },
        engine: { type: 'string' }, compare: { type: 'boolean' },
        ...CONFORMANCE_OPTIONS, // includes --partner, shared with map and test
      },
    });
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || !command) {
    io.out(USAGE);
    return command || values.help ? 0 : 2;
  }
  const rootDir = resolve(values.root ?? process.cwd());
  if (command === 'conformance') {
    // talks to a running seller; needs partner profiles and case files, not the whole registry
    return runConformanceCommand(values, {
      rootDir, env: values.env ?? environmentName(process.env), processEnv: process.env, out: io.out, err: io.err, isTTY: io.isTTY,
    });
  }
  if (values.engine !== undefined && values.engine !== 'compiled' && values.engine !== 'interpreted') {
    io.err(`--engine must be compiled or interpreted, got "${values.engine}"\n\n${USAGE}`);
    return 2;
  }
  let registry: Registry;
  let engine: MappingEngine;
  try {
    ({ registry, engine } = load(rootDir, values.env));
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`${err.message}\n${err.problems.length} problem(s) found\n`);
      return 1;
    }
    throw err;
  }
  switch (command) {
    case 'check': {
      const ops = [...new Set(registry.releases.values())].reduce((n, r) => n + [...r.apis.values()].reduce((m, a) => m + a.operations.length, 0), 0);
      io.out(`ok: ${registry.partners.size} partner(s), ${new Set(registry.releases.values()).size} release(s) with ${ops} operation(s), ${registry.legacy.size} legacy operation(s), ${registry.mappingsByFile.size} mapping file(s), ${registry.fixtures.length} fixture(s)\n`);
      io.out(describeEngines(registry, engine));
      return 0;
    }
    case 'map':
      return runMap(registry, engine, rootDir, values, io);
    case 'test': {
      const outcomes = await runRegistryFixtures(registry, { partnerId: values.partner });
      for (const o of outcomes) io.out(`${o.ok ? 'pass' : 'FAIL'} ${o.name}${o.ok ? '' : `\n  ${(o.detail ?? '').split('\n').join('\n  ')}`}\n`);
      const failed = outcomes.filter((o) => !o.ok).length;
      io.out(`fixtures: ${outcomes.length - failed} passed, ${failed} failed\n`);
      return failed || outcomes.length === 0 ? 1 : 0;
    }
    default:
      io.err(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

/**
 * Which mappings run compiled and which fall back to the interpreter (with the compiler's reason). The registry
 * compiles every mapping at load, so this covers all of them, inline expressions included.
 */
function describeEngines(registry: Registry, engine: MappingEngine): string {
  if (engine.options.engine === 'interpreted') return `engine: interpreted (mapping.engine): all ${registry.mappings.length} mapping(s) run in the interpreter\n`;
  const fallbacks = registry.mappings.filter((m) => m.engine === 'interpreted');
  const lines = [`engine: compiled: ${registry.mappings.length - fallbacks.length} of ${registry.mappings.length} mapping(s) run compiled, ${fallbacks.length} fall back to the interpreter`];
  for (const m of fallbacks) lines.push(`  interpreted ${m.file}: ${m.fallbackReason ?? 'unknown reason'}`);
  return `${lines.join('\n')}\n`;
}

function load(rootDir: string, env: string | undefined): { registry: Registry; engine: MappingEngine } {
  const config = loadConfig({ rootDir, env, processEnv: process.env });
  const secrets = environmentVariables(rootDir, config.env, process.env);
  const engine = createMappingEngine({ deadlineMs: config.mapping.deadlineMs, maxDepth: config.mapping.maxDepth, engine: config.mapping.engine, syncSliceMs: config.mapping.syncSliceMs });
  return { registry: loadRegistry({ partnersDir: config.paths.partners, mappingsDir: config.paths.mappings, engine, secrets }), engine };
}

async function runMap(
  registry: Registry,
  engine: MappingEngine,
  rootDir: string,
  values: { partner?: string; mapping?: string; input?: string; bindings?: string; engine?: string; compare?: boolean },
  io: Io,
): Promise<number> {
  if (!values.partner || !values.mapping || !values.input) {
    io.err(`map needs --partner, --mapping and --input\n\n${USAGE}`);
    return 2;
  }
  const partner = registry.partners.get(values.partner);
  if (!partner) {
    io.err(`unknown partner "${values.partner}" (known: ${[...registry.partners.keys()].join(', ')})\n`);
    return 1;
  }
  const byOperation = /^([A-Za-z]+)\.(request|response)$/.exec(values.mapping);
  const mapping = byOperation
    ? partner.mappings.get(byOperation[1]!)?.[byOperation[2] as 'request' | 'response']
    : [resolve(partner.dir, values.mapping), resolve(rootDir, values.mapping)].map((f) => registry.mappingsByFile.get(f)).find(Boolean);
  if (!mapping) {
    io.err(`no mapping "${values.mapping}" for partner ${partner.id}; give a file the registry loads (relative to ${displayPath(partner.dir)} or the project) or <operationId>.request|response\n`);
    return 1;
  }
  const inputFile = resolve(values.input);
  if (!existsSync(inputFile)) {
    io.err(`input file not found: ${values.input}\n`);
    return 1;
  }
  let input: unknown;
  let bindings: Record<string, unknown> = {};
  try {
    input = JSON.parse(readFileSync(inputFile, 'utf8'));
    if (values.bindings) bindings = JSON.parse(values.bindings) as Record<string, unknown>;
  } catch (err) {
    io.err(`${values.bindings && !input ? values.input : 'input or bindings'}: not valid JSON: ${(err as Error).message}\n`);
    return 1;
  }
  const evalOpts = { bindings: { partnerId: partner.id, buyerId: partner.buyerId, sellerId: partner.sellerId, ...bindings }, lookups: partner.lookups };
  if (values.compare) {
    const runs = await Promise.all((['interpreted', 'compiled'] as const).map(async (kind) => {
      const m = engine.compile(mapping.source, mapping.file, { engine: kind });
      return { kind, ran: m.engine, fallbackReason: m.fallbackReason, ...(await settle(m.evaluate(input, evalOpts))) };
    }));
    for (const run of runs) {
      const how = run.ran === run.kind ? run.kind : `${run.kind} (falls back to the interpreter: ${run.fallbackReason ?? 'unknown reason'})`;
      io.out(`--- ${how}\n${run.ok ? JSON.stringify(run.output, null, 2) : `error: ${run.error}`}\n`);
    }
    const [a, b] = runs as [(typeof runs)[0], (typeof runs)[0]];
    const agree = a.ok && b.ok ? isDeepStrictEqual(a.output, b.output) : !a.ok && !b.ok && a.code === b.code;
    io.out(agree ? 'engines agree\n' : 'engines DISAGREE\n');
    return agree ? 0 : 1;
  }
  const chosen = values.engine !== undefined ? engine.compile(mapping.source, mapping.file, { engine: values.engine as MappingEngineKind }) : mapping;
  const run = await settle(chosen.evaluate(input, evalOpts));
  if (run.ok) {
    io.out(`${JSON.stringify(run.output, null, 2)}\n`);
    return 0;
  }
  io.err(`${run.error}\n`);
  return 1;
}

/** An evaluation's outcome as data: the output, or the error line and the JSONata code the engines are compared by. */
async function settle(evaluation: Promise<unknown>): Promise<{ ok: true; output: unknown } | { ok: false; error: string; code: string | undefined }> {
  try {
    return { ok: true, output: await evaluation };
  } catch (err) {
    return { ok: false, error: err instanceof MappingError ? err.toString() : String(err), code: err instanceof MappingError ? `${err.kind}:${err.jsonataCode ?? ''}` : undefined };
  }
}
