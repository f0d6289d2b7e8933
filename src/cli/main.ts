import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { Command, CommanderError, Option } from 'commander';
import { environmentVariables, loadConfig } from '../config/load-config.js';
import { environmentName } from '../config/secrets.js';
import { ConfigError, displayPath } from '../config/yaml-source.js';
import { createMappingEngine, type MappingEngine, type MappingEngineKind } from '../mapping/engine.js';
import { MappingError } from '../mapping/errors.js';
import { loadRegistry } from '../registry/load-registry.js';
import type { Registry } from '../registry/registry.js';
import { formatFixtureFailure, runRegistryFixtures } from '../registry/run-fixtures.js';
import { runConformanceCommand, type ConformanceCommandValues } from '../conformance/runner/conformance-command.js';
import { runReplay, type ReplayValues } from './replay-command.js';
import { runTrace, type OperatorTarget, type TraceValues } from './trace-command.js';
import { hashConsolePassword } from '../console/console-users.js';
import { runCoverage, runReleaseLock } from './coverage-command.js';
import { errorMessage, parseJson, recordOrUndefined, stringMember } from '../json/unknown-values.js';

/** Exit codes of every command (docs/cli.md). */
export const EXIT = Object.freeze({ ok: 0, problems: 1, usage: 2, unreachable: 3 });

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /** stdout is a terminal (live progress counters) */
  isTTY?: boolean;
  /** all of standard input (console-user reads the password there); default: process.stdin */
  readStdin?: () => Promise<string>;
}

interface CommonOptions {
  root?: string;
  env?: string;
}

const EXAMPLES = `
Examples:
  $ sonata-gateway check --env demo
  $ sonata-gateway test --partner globex-networks
  $ sonata-gateway map --partner globex-networks --mapping createGeographicAddressValidation.request --input body.json
  $ sonata-gateway conformance --base-url URL --partner P --junit reports/conformance.xml
  $ sonata-gateway trace <correlation-id> --url http://localhost:9090
  $ sonata-gateway replay <correlation-id>

Exit codes: 0 ok, 1 problems found, 2 usage error, 3 something unreachable (docs/cli.md)
`;

/** The package's version (package.json above this file, in src/ or dist/src/). */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = parseJson(readFileSync(file, 'utf8'));
      const version = stringMember(pkg, 'version');
      if (stringMember(pkg, 'name') === 'sonata-gateway' && version) return version;
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

function withCommonOptions(cmd: Command): Command {
  return cmd
    .option('--root <dir>', 'project folder (default: current folder)')
    .option('--env <name>', 'environment (default: GATEWAY_ENV or demo)');
}

/**
 * Entry of `npx sonata-gateway`; returns the exit code (0 ok, 1 problems found, 2 usage, 3 something unreachable).
 * Parsed by commander: `--help` per command, `--version`, a suggestion for a mistyped command.
 */
export async function runCli(
  argv: string[],
  io: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), isTTY: process.stdout.isTTY },
): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command('sonata-gateway')
    .description(
      'MEF LSO Sonata mediation gateway: check, test and try partner mappings; play conformance cases; trace and replay recorded requests',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help (also per command: sonata-gateway <command> --help)')
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride()
    .addHelpText('after', EXAMPLES);
  const configure = (cmd: Command) => cmd.configureOutput({ writeOut: io.out, writeErr: io.err }).exitOverride();

  const setCode = (c: number): void => {
    code = c;
  };
  addMappingCommands(program, configure, io, setCode);
  addConformanceCommand(program, configure, io, setCode);
  addActivityCommands(program, configure, io, setCode);
  addReleaseCommands(program, configure, io, setCode);

  configure(program.command('console-user'))
    .summary('print a console users file entry; the password is read from standard input')
    .description(
      'Hash a console password (scrypt) and print the entry for console.usersFile (docs/console.md). The password is ' +
        'read from standard input (one line), never from the command line, so it stays out of shell history and ps.',
    )
    .option('--name <name>', 'user name (letters, digits, . _ @ -)')
    .addOption(new Option('--role <role>', 'what the user may do').choices(['viewer', 'editor']))
    .addHelpText(
      'after',
      '\nExample:\n  $ printf %s "$PASSWORD" | sonata-gateway console-user --name anna --role editor >> console-users.yaml\n',
    )
    .action(async (opts: { name?: string; role?: string }) => {
      code = await runConsoleUser(opts, io);
    });

  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return EXIT.usage;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        (err.code === 'commander.help' && err.exitCode === 0)
        ? EXIT.ok
        : EXIT.usage;
    }
    throw err;
  }
  return code;
}

/** `check`, `map` and `test`: the partner and mapping files, loaded the way production loads them. */
function addMappingCommands(program: Command, configure: (cmd: Command) => Command, io: Io, setCode: (code: number) => void): void {
  configure(withCommonOptions(program.command('check')))
    .summary('validate every file, statically check every mapping and run every fixture')
    .description(
      'Validate every config, partner and mapping file as production loads them, check every mapping statically ' +
        '(unknown functions with a did-you-mean, argument counts against signatures) and run every fixture. Lists the ' +
        'mappings that run interpreted under the compiled engine, and why. Exit 1 with each problem at file:line:col.',
    )
    .addHelpText('after', '\nExample:\n  $ sonata-gateway check --root . --env production\n')
    .action(async (opts: CommonOptions) => {
      setCode(await runCheck(opts, io));
    });

  configure(withCommonOptions(program.command('map')))
    .summary('run one mapping on a JSON file and print the output (or the error)')
    .description('Run one mapping of a partner on a JSON file and print the output (or the error, exit 1).')
    .option('--partner <id>', 'partner id (a folder under partners/)')
    .option('--mapping <m>', 'a file relative to the partner folder (mappings/x.jsonata), or <operationId>.request|response')
    .option('--input <file>', 'JSON input file')
    .option('--bindings <json>', 'extra $bindings, e.g. \'{"k":"v"}\'')
    .addOption(new Option('--engine <kind>', "how to run it (default: the config's mapping.engine)").choices(['compiled', 'interpreted']))
    .option('--compare', 'run it both ways and print both results and whether they agree')
    .addHelpText(
      'after',
      '\nExample:\n  $ sonata-gateway map --partner globex-networks --mapping createGeographicAddressValidation.request --input body.json --compare\n',
    )
    .action(async (opts: CommonOptions & MapValues) => {
      if (!opts.partner || !opts.mapping || !opts.input) {
        io.err('map needs --partner, --mapping and --input (see sonata-gateway map --help)\n');
        setCode(EXIT.usage);
        return;
      }
      const loaded = loadOrReport(opts, io);
      setCode(loaded.ok ? await runMap(loaded.registry, loaded.engine, rootOf(opts), opts, io) : EXIT.problems);
    });

  configure(withCommonOptions(program.command('test')))
    .summary('run every mapping fixture')
    .description('Run every mapping fixture (partners/<id>/fixtures, mappings/**/fixtures); exit 1 when one fails or none ran.')
    .option('--partner <id>', "only this partner's fixtures")
    .addHelpText('after', '\nExample:\n  $ sonata-gateway test --partner globex-networks\n')
    .action(async (opts: CommonOptions & { partner?: string }) => {
      const loaded = loadOrReport(opts, io);
      if (!loaded.ok) {
        setCode(EXIT.problems);
        return;
      }
      const outcomes = await runRegistryFixtures(loaded.registry, { partnerId: opts.partner });
      for (const o of outcomes)
        io.out(`${o.ok ? 'pass' : 'FAIL'} ${o.name}${o.ok ? '' : `\n  ${(o.detail ?? '').split('\n').join('\n  ')}`}\n`);
      const failed = outcomes.filter((o) => !o.ok).length;
      io.out(`fixtures: ${outcomes.length - failed} passed, ${failed} failed\n`);
      setCode(failed || outcomes.length === 0 ? EXIT.problems : EXIT.ok);
    });
}

/** `conformance`: the Sonata conformance cases against a running seller. */
function addConformanceCommand(program: Command, configure: (cmd: Command) => Command, io: Io, setCode: (code: number) => void): void {
  configure(withCommonOptions(program.command('conformance')))
    .summary('play the Sonata conformance cases against a running seller')
    .description(
      'Play the Sonata conformance cases (positive and negative, per business function) against a running seller ' +
        'as partner P; exit 0 only when no case failed, 3 when the seller cannot be reached.',
    )
    .option('--base-url <url>', "the seller's base URL")
    .option('--partner <id>', 'play as this partner (or buy from it, for a seller partner)')
    .option('--release <r>', "release to test (default: the partner's)")
    .option('--functions <a,b>', 'only these functions (e.g. addressValidation,quote)')
    .option('--sdk <dir>', 'MEF Sonata SDK folder (default: SONATA_SDK_DIR or ../shared/sonata-sdk)')
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--html <file>', 'write a self-contained HTML report')
    .option('--cases <dir>', 'case folder (default: mappings/conformance)')
    .option('--var <name=value>', 'override a case file variable (repeatable; JSON for objects)', (v: string, prev: string[] = []) => [
      ...prev,
      v,
    ])
    .option('--timeout-ms <n>', 'per request (default 15000)')
    .addHelpText(
      'after',
      '\nExample:\n  $ sonata-gateway conformance --base-url http://localhost:8080 --partner acme-telecom --junit reports/conformance.xml\n',
    )
    .action(
      async (
        opts: CommonOptions & {
          baseUrl?: string;
          partner?: string;
          release?: string;
          functions?: string;
          sdk?: string;
          junit?: string;
          html?: string;
          cases?: string;
          var?: string[];
          timeoutMs?: string;
        },
      ) => {
        // talks to a running seller; needs partner profiles and case files, not the whole registry
        const values: ConformanceCommandValues = {
          'base-url': opts.baseUrl,
          partner: opts.partner,
          release: opts.release,
          functions: opts.functions,
          sdk: opts.sdk,
          junit: opts.junit,
          html: opts.html,
          cases: opts.cases,
          var: opts.var,
          'timeout-ms': opts.timeoutMs,
        };
        setCode(
          await runConformanceCommand(values, {
            rootDir: rootOf(opts),
            env: opts.env ?? environmentName(process.env),
            processEnv: process.env,
            out: io.out,
            err: io.err,
            isTTY: io.isTTY,
          }),
        );
      },
    );
}

/** `trace` and `replay`: a request recorded by a running gateway's activity log. */
function addActivityCommands(program: Command, configure: (cmd: Command) => Command, io: Io, setCode: (code: number) => void): void {
  const target = (opts: CommonOptions & { url?: string; key?: string }): OperatorTarget => ({
    url: opts.url,
    key: opts.key,
    rootDir: rootOf(opts),
    env: opts.env ?? environmentName(process.env),
    processEnv: process.env,
  });
  configure(withCommonOptions(program.command('trace')))
    .summary('print the recorded chain of one request of a running gateway')
    .description(
      "Fetch one request recorded by a running gateway's activity log (GET /internal/activity/<id>, on its admin port when " +
        'it has one) and print its chain: one line per hop (kind, method, url, status, ms, mapping), bodies indented below. ' +
        'Exit 1 when the id is unknown (or expired), 3 when the gateway does not answer.',
    )
    .argument('<correlation-id>', 'the X-Request-Id the gateway answered with')
    .option('--url <url>', "the gateway's admin base URL (default: SONATA_GATEWAY_URL, else http://127.0.0.1:<ADMIN_PORT|PORT|8080>)")
    .option('--key <key>', "internal API key with scope activity (default: INTERNAL_API_KEY, else the config's internal.apiKey)")
    .option('--json', 'print the record as JSON (replay --request takes that file)')
    .option('--no-bodies', 'hop lines only')
    .addHelpText('after', '\nExample:\n  $ sonata-gateway trace 3f1c2d9e-0b7a-4c55-9b1e-2a6f8d0c4e11 --url http://localhost:9090\n')
    .action(async (id: string, opts: CommonOptions & TraceValues & { url?: string; key?: string }) => {
      setCode(await runTrace(id, opts, target(opts), io));
    });

  configure(withCommonOptions(program.command('replay')))
    .summary("run a captured request through today's mappings and diff the answers")
    .description(
      'Run a captured partner request (by correlation id from a running gateway, or --request FILE as trace --json prints) ' +
        "through today's partner and mapping files with the gateway's own operation code, the legacy BSS answering as captured " +
        '(--live: the configured one), and print the JSON-pointer differences of the mapped legacy request and of the answer. ' +
        'Exit 0 when identical, 1 when different.',
    )
    .argument('[correlation-id]', 'the X-Request-Id of the captured request')
    .option('--request <file>', 'an activity record JSON file instead of fetching one')
    .option('--live', 'call the configured legacy BSS (legacy.baseUrl; embedded: a fresh simulator) instead of the captured answers')
    .option('--url <url>', "the gateway's admin base URL, as for trace")
    .option('--key <key>', 'internal API key with scope activity, as for trace')
    .addHelpText(
      'after',
      '\nExamples:\n  $ sonata-gateway replay 3f1c2d9e-0b7a-4c55-9b1e-2a6f8d0c4e11\n  $ sonata-gateway trace 3f1c2d9e --json > req.json && sonata-gateway replay --request req.json\n',
    )
    .action(async (id: string | undefined, opts: CommonOptions & ReplayValues & { url?: string; key?: string }) => {
      setCode(await runReplay(id, opts, target(opts), io));
    });
}

/** `release-lock` and `coverage`: the releases' official operations and which of them the gateway serves. */
function addReleaseCommands(program: Command, configure: (cmd: Command) => Command, io: Io, setCode: (code: number) => void): void {
  configure(withCommonOptions(program.command('release-lock')))
    .summary("write each release's release.lock.yaml from the official OpenAPI files (--check: compare only)")
    .description(
      "Read the Sonata SDK's official OpenAPI files of every release under mappings/releases and write its " +
        'release.lock.yaml: every API with its version and every operationId with method, path and statuses. The registry ' +
        'checks the api.yaml files against it. --check writes nothing and exits 1 when a lock differs from the files.',
    )
    .option('--sdk <dir>', 'MEF Sonata SDK folder (default: SONATA_SDK_DIR or ../shared/sonata-sdk)')
    .option('--check', 'compare only')
    .addHelpText('after', '\nExample:\n  $ sonata-gateway release-lock --sdk ../shared/sonata-sdk\n')
    .action((opts: CommonOptions & { sdk?: string; check?: boolean }) => {
      const config = loadConfig({ rootDir: rootOf(opts), env: opts.env, processEnv: process.env });
      const sdkDir = opts.sdk ?? process.env.SONATA_SDK_DIR ?? resolve(rootOf(opts), '..', 'shared', 'sonata-sdk');
      setCode(runReleaseLock({ mappingsDir: config.paths.mappings, sdkDir, check: opts.check === true }, io));
    });

  configure(withCommonOptions(program.command('coverage')))
    .summary('the table of every operationId of the official files per release and whether the gateway serves it')
    .description(
      'Print (or --write to docs/coverage.md, or --check against it) the table of every operationId the ' +
        "releases' official files declare (their release.lock.yaml) and how the gateway answers it: served, 501, or not " +
        'served with the reason from release.yaml notServed.',
    )
    .option('--write', 'write docs/coverage.md')
    .option('--check', 'exit 1 when docs/coverage.md differs from the generated table')
    .action((opts: CommonOptions & { write?: boolean; check?: boolean }) => {
      const loaded = loadOrReport(opts, io);
      if (!loaded.ok) {
        setCode(EXIT.problems);
        return;
      }
      setCode(
        runCoverage(
          loaded.registry,
          { file: join(rootOf(opts), 'docs', 'coverage.md'), write: opts.write === true, check: opts.check === true },
          io,
        ),
      );
    });
}

/** console-user: reads the password from stdin and prints a users file entry. */
async function runConsoleUser(opts: { name?: string; role?: string }, io: Io): Promise<number> {
  if (!opts.name || !/^[A-Za-z0-9._@-]{1,64}$/.test(opts.name) || !opts.role) {
    io.err(
      'console-user needs --name (1-64 letters, digits or . _ @ -) and --role viewer|editor (see sonata-gateway console-user --help)\n',
    );
    return EXIT.usage;
  }
  const read =
    io.readStdin ??
    (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
      return Buffer.concat(chunks).toString('utf8');
    });
  const password = (await read()).replace(/\r?\n$/, '');
  if (password.length < 12) {
    io.err('the password (standard input) must have 12 characters at least\n');
    return EXIT.usage;
  }
  const hash = await hashConsolePassword(password);
  io.out(`  - name: ${opts.name}\n    role: ${opts.role}\n    passwordHash: ${hash}\n`);
  return EXIT.ok;
}

interface MapValues {
  partner?: string;
  mapping?: string;
  input?: string;
  bindings?: string;
  engine?: string;
  compare?: boolean;
}

function rootOf(opts: CommonOptions): string {
  return resolve(opts.root ?? process.cwd());
}

function loadOrReport(opts: CommonOptions, io: Io): { ok: true; registry: Registry; engine: MappingEngine } | { ok: false } {
  try {
    return { ok: true, ...load(rootOf(opts), opts.env) };
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`${err.message}\n${err.problems.length} problem(s) found\n`);
      return { ok: false };
    }
    throw err;
  }
}

/** check: everything loads (static checks included) and every fixture passes. */
async function runCheck(opts: CommonOptions, io: Io): Promise<number> {
  const loaded = loadOrReport(opts, io);
  if (!loaded.ok) return EXIT.problems;
  const { registry, engine } = loaded;
  const outcomes = await runRegistryFixtures(registry);
  const failed = outcomes.filter((o) => !o.ok);
  if (failed.length) {
    for (const o of failed) io.err(`${formatFixtureFailure(o)}\n`);
    io.err(`${failed.length} problem(s) found (failing fixtures; \`sonata-gateway test\` runs them one by one)\n`);
    return EXIT.problems;
  }
  const ops = [...new Set(registry.releases.values())].reduce(
    (n, r) => n + [...r.apis.values()].reduce((m, a) => m + a.operations.length, 0),
    0,
  );
  io.out(
    `ok: ${registry.partners.size} partner(s), ${new Set(registry.releases.values()).size} release(s) with ${ops} operation(s), ${registry.legacy.size} legacy operation(s), ${registry.mappingsByFile.size} mapping file(s), ${registry.fixtures.length} fixture(s) passed\n`,
  );
  io.out(describeEngines(registry, engine));
  return EXIT.ok;
}

/**
 * Which mappings run compiled and which fall back to the interpreter (with the compiler's reason). The registry
 * compiles every mapping at load, so this covers all of them, inline expressions included.
 */
function describeEngines(registry: Registry, engine: MappingEngine): string {
  if (engine.options.engine === 'interpreted')
    return `engine: interpreted (mapping.engine): all ${registry.mappings.length} mapping(s) run in the interpreter\n`;
  const fallbacks = registry.mappings.filter((m) => m.engine === 'interpreted');
  const lines = [
    `engine: compiled: ${registry.mappings.length - fallbacks.length} of ${registry.mappings.length} mapping(s) run compiled, ${fallbacks.length} fall back to the interpreter`,
  ];
  for (const m of fallbacks) lines.push(`  interpreted ${m.file}: ${m.fallbackReason ?? 'unknown reason'}`);
  return `${lines.join('\n')}\n`;
}

function load(rootDir: string, env: string | undefined): { registry: Registry; engine: MappingEngine } {
  const config = loadConfig({ rootDir, env, processEnv: process.env });
  const secrets = environmentVariables(rootDir, config.env, process.env);
  const engine = createMappingEngine({
    deadlineMs: config.mapping.deadlineMs,
    maxDepth: config.mapping.maxDepth,
    engine: config.mapping.engine,
    syncSliceMs: config.mapping.syncSliceMs,
  });
  return {
    registry: loadRegistry({ partnersDir: config.paths.partners, mappingsDir: config.paths.mappings, engine, secrets }),
    engine,
  };
}

async function runMap(registry: Registry, engine: MappingEngine, rootDir: string, values: MapValues, io: Io): Promise<number> {
  const partner = registry.partners.get(values.partner!);
  if (!partner) {
    io.err(`unknown partner "${values.partner}" (known: ${[...registry.partners.keys()].join(', ')})\n`);
    return 1;
  }
  const byOperation = /^([A-Za-z]+)\.(request|response)$/.exec(values.mapping!);
  const mapping = byOperation
    ? partner.mappings.get(byOperation[1]!)?.[byOperation[2] as 'request' | 'response']
    : [resolve(partner.dir, values.mapping!), resolve(rootDir, values.mapping!)].map((f) => registry.mappingsByFile.get(f)).find(Boolean);
  if (!mapping) {
    io.err(
      `no mapping "${values.mapping}" for partner ${partner.id}; give a file the registry loads (relative to ${displayPath(partner.dir)} or the project) or <operationId>.request|response\n`,
    );
    return 1;
  }
  const inputFile = resolve(values.input!);
  if (!existsSync(inputFile)) {
    io.err(`input file not found: ${values.input}\n`);
    return 1;
  }
  let input: unknown;
  let bindings: Record<string, unknown> = {};
  try {
    input = JSON.parse(readFileSync(inputFile, 'utf8'));
    if (values.bindings) bindings = recordOrUndefined(parseJson(values.bindings)) ?? {};
  } catch (err) {
    io.err(`${values.bindings && !input ? values.input : 'input or bindings'}: not valid JSON: ${errorMessage(err)}\n`);
    return 1;
  }
  const evalOpts = {
    bindings: { partnerId: partner.id, buyerId: partner.buyerId, sellerId: partner.sellerId, ...bindings },
    lookups: partner.lookups,
  };
  if (values.compare) {
    const runWith = async (kind: MappingEngineKind) => {
      const m = engine.compile(mapping.source, mapping.file, { engine: kind, library: mapping.library });
      return {
        kind,
        ran: m.engine,
        fallbackReason: m.fallbackReason,
        ...(await settle(m.evaluate(input, evalOpts))),
      };
    };
    const runs = await Promise.all([runWith('interpreted'), runWith('compiled')]);
    for (const run of runs) {
      const how =
        run.ran === run.kind ? run.kind : `${run.kind} (falls back to the interpreter: ${run.fallbackReason ?? 'unknown reason'})`;
      io.out(`--- ${how}\n${run.ok ? JSON.stringify(run.output, null, 2) : `error: ${run.error}`}\n`);
    }
    const [a, b] = runs;
    const agree = a.ok && b.ok ? isDeepStrictEqual(a.output, b.output) : !a.ok && !b.ok && a.code === b.code;
    io.out(agree ? 'engines agree\n' : 'engines DISAGREE\n');
    return agree ? 0 : 1;
  }
  const kind = values.engine === 'compiled' || values.engine === 'interpreted' ? values.engine : undefined;
  const chosen = kind !== undefined ? engine.compile(mapping.source, mapping.file, { engine: kind, library: mapping.library }) : mapping;
  const run = await settle(chosen.evaluate(input, evalOpts));
  if (run.ok) {
    io.out(`${JSON.stringify(run.output, null, 2)}\n`);
    return 0;
  }
  io.err(`${run.error}\n`);
  return 1;
}

/** An evaluation's outcome as data: the output, or the error line and the JSONata code the engines are compared by. */
async function settle(
  evaluation: Promise<unknown>,
): Promise<{ ok: true; output: unknown } | { ok: false; error: string; code: string | undefined }> {
  try {
    return { ok: true, output: await evaluation };
  } catch (err) {
    return {
      ok: false,
      error: err instanceof MappingError ? err.toString() : String(err),
      code: err instanceof MappingError ? `${err.kind}:${err.jsonataCode ?? ''}` : undefined,
    };
  }
}
