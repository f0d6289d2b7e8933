import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { environmentVariables, loadConfig } from '../config/load-config.js';
import { environmentName } from '../config/secrets.js';
import { ConfigError, displayPath } from '../config/yaml-source.js';
import { createMappingEngine } from '../mapping/engine.js';
import { MappingError } from '../mapping/errors.js';
import { loadRegistry } from '../registry/load-registry.js';
import type { Registry } from '../registry/registry.js';
import { runRegistryFixtures } from '../registry/run-fixtures.js';
import { CONFORMANCE_OPTIONS, CONFORMANCE_USAGE, runConformanceCommand } from '../conformance/runner/conformance-command.js';

const USAGE = `usage: sonata-gateway <command> [options]

commands:
  check                                    validate every config, partner and mapping file as production loads them
  map --partner P --mapping M --input F    run one mapping on a JSON file and print the output (or the error)
        M: a file relative to the partner folder (mappings/x.jsonata), or <operationId>.request|response
        --bindings '{"k":"v"}'             extra $bindings
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
  let registry: Registry;
  try {
    registry = load(rootDir, values.env);
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
      return 0;
    }
    case 'map':
      return runMap(registry, rootDir, values, io);
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

function load(rootDir: string, env: string | undefined): Registry {
  const config = loadConfig({ rootDir, env, processEnv: process.env });
  const secrets = environmentVariables(rootDir, config.env, process.env);
  const engine = createMappingEngine({ deadlineMs: config.mapping.deadlineMs, maxDepth: config.mapping.maxDepth });
  return loadRegistry({ partnersDir: config.paths.partners, mappingsDir: config.paths.mappings, engine, secrets });
}

async function runMap(registry: Registry, rootDir: string, values: { partner?: string; mapping?: string; input?: string; bindings?: string }, io: Io): Promise<number> {
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
  try {
    const output = await mapping.evaluate(input, { bindings: { partnerId: partner.id, buyerId: partner.buyerId, sellerId: partner.sellerId, ...bindings }, lookups: partner.lookups });
    io.out(`${JSON.stringify(output, null, 2)}\n`);
    return 0;
  } catch (err) {
    io.err(`${err instanceof MappingError ? err.toString() : String(err)}\n`);
    return 1;
  }
}
