/**
 * `sonata-gateway replay`: runs a captured partner request through today's partner and mapping files, with the
 * pipeline's own operation code (`executeOperation`: the partner's dialect, the operation's schema, the release
 * adapter, the legacy mappings, the kind's logic), and compares what would be answered now with what was answered
 * then. The legacy BSS is a stub that gives the captured answers in order (through the real legacy client, so RC
 * handling is the gateway's), or with `--live` the configured legacy BSS.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { request } from 'undici';
import { environmentVariables, loadConfig } from '../config/load-config.js';
import type { GatewayConfig } from '../config/config-schema.js';
import { settingProblem } from '../config/setting-problem.js';
import { ConfigError, formatProblem } from '../config/yaml-source.js';
import { RUN_THE_DEMO, type StartInProcessLegacy } from '../legacy/in-process-legacy.js';
import type { PartnerDef, Registry } from '../registry/registry.js';
import { GatewayError } from '../errors/catalogue.js';
import { renderSonataError } from '../errors/render-error.js';
import { createLegacyClient, type LegacyClient } from '../legacy/legacy-client.js';
import { createMappingEngine } from '../mapping/engine.js';
import type { ActivityHop, ActivityRecord } from '../observability/activity.js';
import { createLogger } from '../observability/logger.js';
import { createRedactor, REDACTED, type Redactor } from '../observability/redact-body.js';
import { loadRegistry } from '../registry/load-registry.js';
import { executeOperation } from '../sonata/kinds.js';
import type { OperationResult } from '../sonata/operation-context.js';
import { resolveOperation } from '../sonata/resolve-operation.js';
import { createResourceRepository } from '../sonata/resources/resource-repository.js';
import { createWorkQueue } from '../sonata/resources/work-queue.js';
import { createMemoryStore } from '../state/memory-store.js';
import { fetchActivityRecord, type OperatorTarget } from './trace-command.js';
import { isRecord } from '../json/unknown-values.js';

const OK = 0;
const PROBLEMS = 1;
const USAGE = 2;
const UNREACHABLE = 3;
const SONATA_ROUTE = /^\/mefApi\/sonata\/([A-Za-z]+)\/(v[0-9]+)(\/.*)?$/;

/** Options of {@link runReplay}. */
export interface ReplayValues {
  /** an ActivityRecord JSON file (as `trace --json` prints) instead of fetching the record */
  request?: string;
  /** call the configured legacy BSS instead of answering with the captured answers */
  live?: boolean;
}

type Io = { out: (s: string) => void; err: (s: string) => void };

/** One comparison: what was sent or answered then against now. */
interface Comparison {
  readonly title: string;
  readonly differences: string[];
}

/** What {@link runReplay} needs besides its arguments: the demo may supply its simulated legacy BSS for `--live`. */
export interface ReplayBackends {
  /** starts a legacy BSS in process when the configuration says `embedded` (the product has none) */
  legacy?: StartInProcessLegacy;
}

/** `replay`: exit 0 when now equals then, 1 when it differs (or cannot be compared), 2 usage, 3 gateway unreachable. */
export async function runReplay(
  correlationId: string | undefined,
  values: ReplayValues,
  t: OperatorTarget,
  io: Io,
  backends: ReplayBackends = {},
): Promise<number> {
  if ((correlationId === undefined) === (values.request === undefined)) {
    io.err('replay needs a correlation id or --request FILE (one of them; see sonata-gateway replay --help)\n');
    return USAGE;
  }
  const record = await readRecord(correlationId, values, t, io);
  if (typeof record === 'number') return record;
  const problem = (message: string) => {
    io.err(`${message}\n`);
    return PROBLEMS;
  };
  let target: ReplayTarget | string;
  try {
    target = resolveReplay(record, t);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`${err.message}\n${err.problems.length} problem(s) found\n`);
      return PROBLEMS;
    }
    throw err;
  }
  if (typeof target === 'string') return problem(target);
  const live = values.live ? await liveLegacy(target.config, backends.legacy) : undefined;
  if (typeof live === 'string') return problem(live);
  const { now, received } = await replayNow(record, target, live);
  const comparisons = compareReplay(record, target.config, now, received);
  io.out(
    `replay of ${record.correlationId}: ${target.partner.id} ${target.resolved.op.operationId} (${target.resolved.op.release}) with today's mappings, legacy BSS ${values.live ? 'called live' : 'answers as captured'}\n`,
  );
  let different = false;
  for (const c of comparisons) {
    io.out(`${c.title}: ${c.differences.length ? `${c.differences.length} difference(s)` : 'identical'}\n`);
    for (const d of c.differences) io.out(`  ${d}\n`);
    if (c.differences.length) different = true;
  }
  io.out(different ? 'different\n' : 'identical\n');
  return different ? PROBLEMS : OK;
}

/** The activity record to replay: read from `--request FILE` or fetched from the gateway; an exit code when it cannot be. */
async function readRecord(
  correlationId: string | undefined,
  values: ReplayValues,
  t: OperatorTarget,
  io: Io,
): Promise<ActivityRecord | number> {
  if (values.request === undefined) {
    const fetched = await fetchActivityRecord(correlationId!, t);
    if (fetched.kind === 'found') return fetched.record;
    io.err(`${fetched.message}\n`);
    return fetched.kind === 'unreachable' ? UNREACHABLE : PROBLEMS;
  }
  if (!existsSync(values.request)) {
    io.err(`--request: file not found: ${values.request}\n`);
    return USAGE;
  }
  let record: ActivityRecord;
  try {
    record = JSON.parse(readFileSync(values.request, 'utf8')) as ActivityRecord;
  } catch (err) {
    io.err(`--request: ${values.request} is not JSON: ${(err as Error).message}\n`);
    return USAGE;
  }
  if (!record || !Array.isArray(record.hops)) {
    io.err(`--request: ${values.request} is not an activity record (as \`sonata-gateway trace --json\` prints)\n`);
    return USAGE;
  }
  return record;
}

/** A captured request resolved against today's configuration, partner and mapping files. */
interface ReplayTarget {
  config: GatewayConfig;
  registry: Registry;
  partner: PartnerDef;
  resolved: ReturnType<typeof resolveOperation>;
  request: ActivityHop;
  queryText?: string;
}

/** Today's configuration and registry, and the operation the captured request resolves to (or why it cannot be replayed); throws ConfigError. */
function resolveReplay(record: ActivityRecord, t: OperatorTarget): ReplayTarget | string {
  const config = loadConfig({ rootDir: t.rootDir, env: t.env, processEnv: t.processEnv });
  const request = record.hops.find((h) => h.kind === 'partner-request');
  if (!request?.url || !request.method || !record.partnerId)
    return 'the record has no partner request to replay (only Sonata requests of a partner are replayed)';
  const [path, queryText] = request.url.split('?', 2) as [string, string | undefined];
  const route = SONATA_ROUTE.exec(path);
  if (!route) return `${request.url} is not a Sonata route; only partners' Sonata requests are replayed`;
  if (isTruncated(request.body))
    return `the captured request body was truncated (${(request.body as { bytes: number }).bytes} bytes); raise activity.maxBodyBytes to replay such requests`;
  const secrets = environmentVariables(t.rootDir, config.env, t.processEnv);
  const engine = createMappingEngine({
    deadlineMs: config.mapping.deadlineMs,
    maxDepth: config.mapping.maxDepth,
    engine: config.mapping.engine,
    syncSliceMs: config.mapping.syncSliceMs,
  });
  const registry = loadRegistry({ partnersDir: config.paths.partners, mappingsDir: config.paths.mappings, engine, secrets });
  const partner = registry.partners.get(record.partnerId);
  if (!partner) return `partner ${record.partnerId} is not in ${config.paths.partners} any more`;
  try {
    const resolved = resolveOperation(registry, partner, route[1]!, route[2]!, request.method, route[3] ?? '/');
    return { config, registry, partner, resolved, request, queryText };
  } catch (err) {
    return `${request.method} ${path} does not resolve for ${partner.id} today: ${(err as Error).message}`;
  }
}

/** Runs the captured request through today's operation code against the stand-in (or live) legacy BSS. */
async function replayNow(
  record: ActivityRecord,
  target: ReplayTarget,
  live: { url: string; close(): Promise<void> } | undefined,
): Promise<{ now: { status: number; body: unknown }; received: unknown[] }> {
  const { config, registry, partner, resolved, request, queryText } = target;
  const answered = record.hops.find((h) => h.kind === 'partner-response');
  const backend = await standInLegacy(
    record.hops.filter((h) => h.kind === 'legacy-response'),
    live,
  );
  const silent = createLogger({ level: 'error', stream: new Writable({ write: (_c, _e, cb) => cb() }) });
  const store = createMemoryStore();
  const legacy: LegacyClient = createLegacyClient({
    baseUrl: backend.url,
    apiKey: config.legacy.apiKey,
    timeoutMs: config.legacy.timeoutMs,
    retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
  });
  const capturedId = (answered?.body as { id?: unknown } | undefined)?.id;
  try {
    const result: OperationResult = await executeOperation({
      requestId: record.correlationId,
      registry,
      partner,
      op: resolved.op,
      params: resolved.params,
      query: Object.fromEntries(new URLSearchParams(queryText ?? '')),
      body: withPlaceholders(request.body),
      store,
      legacy,
      logger: silent,
      // the clock of the captured request, and the id it gave what it created
      now: () => new Date(record.startedAt),
      newId: typeof capturedId === 'string' ? () => capturedId : undefined,
      resources: createResourceRepository(store),
      events: { publish: async () => 0 },
      tasks: createWorkQueue(store),
    });
    return { now: { status: result.status, body: result.body }, received: backend.received };
  } catch (err) {
    const rendered = renderSonataError(err instanceof GatewayError ? err : new GatewayError('internal.unexpected', String(err)), {
      maxIssues: config.validation.maxErrors,
      requestId: record.correlationId,
    });
    return { now: { status: rendered.status, body: rendered.body }, received: backend.received };
  } finally {
    await legacy.close();
    await backend.close();
    await store.close();
  }
}

/** What was sent to the legacy BSS and answered then, against now. */
function compareReplay(
  record: ActivityRecord,
  config: GatewayConfig,
  now: { status: number; body: unknown },
  received: unknown[],
): Comparison[] {
  const answered = record.hops.find((h) => h.kind === 'partner-response');
  const redact = createRedactor(config.activity.redact);
  const window = { from: Date.parse(record.startedAt) - 1000, to: Date.parse(record.startedAt) + record.ms + 1000 };
  const comparisons: Comparison[] = [];
  const sentThen = record.hops.filter((h) => h.kind === 'legacy-request');
  const count = Math.max(sentThen.length, received.length);
  for (let i = 0; i < count; i++) {
    const then = sentThen[i];
    comparisons.push({
      title: `legacy request ${i + 1}${then?.note ? ` (${then.note})` : ''}`,
      differences: compareBodies(then?.body, received[i], redact, window),
    });
  }
  const statusDiff = answered?.status !== now.status ? [`status: then ${answered?.status ?? 'absent'}, now ${now.status}`] : [];
  comparisons.push({
    title: `answer (${answered?.status ?? '?'} then, ${now.status} now)`,
    differences: [...statusDiff, ...compareBodies(answered?.body, now.body, redact, window)],
  });
  return comparisons;
}

/**
 * A stand-in legacy BSS that keeps what it was sent: each call gets the next captured answer (status and body), or,
 * with `live`, is passed on to the real one and its answer relayed.
 */
async function standInLegacy(
  answers: readonly ActivityHop[],
  live?: { url: string; close(): Promise<void> },
): Promise<{ url: string; received: unknown[]; close(): Promise<void> }> {
  const received: unknown[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      received.push(text ? parseOr(text) : undefined);
      if (live) {
        void relay(live.url, req, text).then(
          ({ status, body }) => res.writeHead(status, { 'content-type': 'application/json' }).end(body),
          (err: unknown) => {
            res.writeHead(502, { 'content-type': 'text/plain' }).end(`the legacy BSS at ${live.url} did not answer: ${String(err)}`);
          },
        );
        return;
      }
      const answer = answers[received.length - 1];
      if (!answer || isTruncated(answer.body) || answer.status === undefined) {
        // nothing captured for this call (or no whole answer): the gateway sees the BSS fail, as RC 12
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            RC: 12,
            MSG: answer ? 'the captured answer was truncated or never came' : 'no captured answer for this call',
          }),
        );
        return;
      }
      res
        .writeHead(answer.status, { 'content-type': 'application/json' })
        .end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? null));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await live?.close();
    },
  };
}

/** One call passed on to the real legacy BSS (same method, path, headers and body). */
async function relay(base: string, req: IncomingMessage, body: string): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
  const res = await request(`${base.replace(/\/$/, '')}${req.url ?? '/'}`, {
    method: (req.method ?? 'GET') as 'GET',
    headers,
    body: body === '' ? undefined : body,
  });
  return { status: res.statusCode, body: await res.body.text() };
}

/**
 * The configured legacy BSS; `embedded` starts the simulator (with its seed data) for this run when the demo supplies
 * it, else says what to do (the product ships no simulator).
 */
async function liveLegacy(config: GatewayConfig, start?: StartInProcessLegacy): Promise<{ url: string; close(): Promise<void> } | string> {
  if (config.legacy.baseUrl !== 'embedded') return { url: config.legacy.baseUrl, close: async () => undefined };
  if (!start)
    return formatProblem(
      settingProblem(config, '/legacy/baseUrl', `is "embedded": --live needs a real legacy BSS (LEGACY_BSS_URL); ${RUN_THE_DEMO}`),
    );
  const sim = await start({ apiKey: config.legacy.apiKey });
  return { url: sim.url, close: () => sim.close() };
}

/**
 * JSON-pointer differences of a captured body and today's (redacted like the captured one). Date-times both inside
 * the captured request's duration count as equal: the gateway stamped them with the time of the request.
 */
function compareBodies(then: unknown, now: unknown, redact: Redactor, window: { from: number; to: number }): string[] {
  if (isTruncated(then)) return [`(root): the captured body was truncated (${(then as { bytes: number }).bytes} bytes): cannot compare`];
  const out: string[] = [];
  collect(then, now === undefined ? undefined : redact(now), '', out, window);
  return out;
}

function collect(then: unknown, now: unknown, path: string, out: string[], window: { from: number; to: number }): void {
  if (Array.isArray(then) && Array.isArray(now)) {
    for (let i = 0; i < Math.max(then.length, now.length); i++) collect(then[i], now[i], `${path}/${i}`, out, window);
    return;
  }
  if (isRecord(then) && isRecord(now)) {
    for (const key of new Set([...Object.keys(then), ...Object.keys(now)])) {
      collect(then[key], now[key], `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`, out, window);
    }
    return;
  }
  if (then === now || stampedAlike(then, now, window)) return;
  out.push(`${path || '(root)'}: then ${show(then)}, now ${show(now)}`);
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

function stampedAlike(a: unknown, b: unknown, window: { from: number; to: number }): boolean {
  if (typeof a !== 'string' || typeof b !== 'string' || !ISO_DATE_TIME.test(a) || !ISO_DATE_TIME.test(b)) return false;
  const inside = (v: string) => {
    const ms = Date.parse(v);
    return ms >= window.from && ms <= window.to;
  };
  return inside(a) && inside(b);
}

/**
 * The captured request with its redacted contact details replaced by placeholders of the right format (an e-mail
 * address, a phone number), so the checks on them pass as they did for the real values; other redacted values stay
 * `[redacted]`. Today's answer is redacted again before it is compared, so placeholders never show as differences.
 */
export function withPlaceholders(value: unknown, key = ''): unknown {
  if (value === REDACTED) {
    const k = key.toLowerCase();
    if (k.includes('email')) return 'redacted@example.com';
    if (k.includes('phone') || k === 'number' || k.includes('mobile') || k.includes('fax')) return '+4930123456';
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => withPlaceholders(v, key));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withPlaceholders(v, k)]));
  return value;
}

function show(v: unknown): string {
  if (v === undefined) return 'absent';
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

function isTruncated(v: unknown): boolean {
  return isRecord(v) && v.truncated === true && typeof v.bytes === 'number';
}

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
