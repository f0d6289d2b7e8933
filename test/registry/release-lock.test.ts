import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { coverageTable, runReleaseLock } from '../../src/cli/coverage-command.js';
import { copyProject } from '../support/test-gateway.js';
import { configProblems as problemsOf, editFile as edit, loadProjectRegistry as load } from '../support/registry-files.js';
import { sdkDir } from '../conformance/sdk-dir.js';

const repoRoot = join(import.meta.dirname, '../..');
let project: ReturnType<typeof copyProject> | undefined;
afterEach(() => project?.cleanup());

const io = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) } };
};

describe("release.lock.yaml: the official files' operations, committed", () => {
  it("each committed lock says what the SDK's files say (sonata-gateway release-lock --check)", () => {
    const { out, err, io: sink } = io();
    expect(runReleaseLock({ mappingsDir: join(repoRoot, 'mappings'), sdkDir, check: true }, sink), err.join('')).toBe(0);
    expect(out.join('')).toMatch(/grace: release\.lock\.yaml matches grace/);
  });

  it('release-lock rewrites a lock someone edited, and --check finds the edit first', () => {
    project = copyProject();
    const lock = join(project.dir, 'mappings/releases/grace/release.lock.yaml');
    const original = readFileSync(lock, 'utf8');
    edit(lock, 'createQuote: { method: POST, path: /quote,', 'createQuote: { method: PUT, path: /quote,');
    const check = io();
    expect(runReleaseLock({ mappingsDir: join(project.dir, 'mappings'), sdkDir, check: true }, check.io)).toBe(1);
    expect(check.err.join('')).toMatch(/grace: release\.lock\.yaml differs from the official files/);
    expect(runReleaseLock({ mappingsDir: join(project.dir, 'mappings'), sdkDir, check: false }, io().io)).toBe(0);
    expect(readFileSync(lock, 'utf8')).toBe(original);
  });

  it('an api.yaml path, method, status or version the official files do not have is refused at its line', () => {
    project = copyProject();
    const api = join(project.dir, 'mappings/releases/grace/troubleTicket/api.yaml');
    edit(
      api,
      'path: /troubleTicket/{id}\n    function: troubleTicket\n    kind: retrieve',
      'path: /troubleTickets/{id}\n    function: troubleTicket\n    kind: retrieve',
    );
    const quote = join(project.dir, 'mappings/releases/grace/quoteManagement/api.yaml');
    // the lock gives the version; one stated anyway must agree with it
    edit(quote, /^operations:$/m, 'version: v9\noperations:');
    expect(problemsOf(() => load(project!.dir))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^mappings\/releases\/grace\/troubleTicket\/api\.yaml:\d+:\d+ .*retrieveTroubleTicket is GET \/troubleTicket\/\{id\} in productApi\/troubleTicket\/troubleTicketManagement\.api\.yaml, not GET \/troubleTickets\/\{id\}/,
        ),
        expect.stringMatching(
          /^mappings\/releases\/grace\/quoteManagement\/api\.yaml:\d+:\d+ .*quoteManagement is v8 in grace's official files, not v9/,
        ),
      ]),
    );
  });

  it('an operationId the API does not have, and a success status it does not declare', () => {
    project = copyProject();
    const api = join(project.dir, 'mappings/releases/grace/troubleTicket/api.yaml');
    edit(api, '  retrieveTroubleTicket:\n', '  fetchTroubleTicket:\n');
    edit(api, /(createTroubleTicket:[\s\S]*?status: )201/, '$1200');
    const problems = problemsOf(() => load(project!.dir));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/troubleTicket\/api\.yaml:\d+:\d+ .*fetchTroubleTicket is not an operationId of troubleTicket v4/),
        expect.stringMatching(/troubleTicket\/api\.yaml:\d+:\d+ .*createTroubleTicket answers 201 in .*, not 200/),
        // the renamed operation leaves retrieveTroubleTicket unserved and unexplained
        expect.stringMatching(
          /^mappings\/releases\/grace\/release\.yaml:\d+:\d+ .*troubleTicket v4: retrieveTroubleTicket is in the official files but neither served/,
        ),
      ]),
    );
  });

  it('notServed must name real operations that are not served, with a reason', () => {
    project = copyProject();
    const release = join(project.dir, 'mappings/releases/grace/release.yaml');
    writeFileSync(
      release,
      `${readFileSync(release, 'utf8')}notServed:\n  quoteManagement:\n    createQuote: served elsewhere, says nobody\n    inventQuote: no such operation in the file\n  troubleTicket: a whole API said not to be served that is\n`,
    );
    expect(problemsOf(() => load(project!.dir))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /release\.yaml:\d+:\d+ notServed\.quoteManagement\.createQuote: createQuote is served \(api\.yaml\); drop it from notServed/,
        ),
        expect.stringMatching(
          /release\.yaml:\d+:\d+ notServed\.quoteManagement\.inventQuote: inventQuote is not an operationId of quoteManagement/,
        ),
        expect.stringMatching(
          /release\.yaml:\d+:\d+ notServed\.troubleTicket: troubleTicket is served \(.*createTroubleTicket.*\); drop it from notServed/,
        ),
      ]),
    );
  });

  it('docs/coverage.md is the generated table: every operationId of every release, served or why not', () => {
    const registry = load(repoRoot);
    const table = coverageTable(registry);
    expect(readFileSync(join(repoRoot, 'docs/coverage.md'), 'utf8'), 'run: sonata-gateway coverage --write').toBe(table);
    for (const release of new Set(registry.releases.values())) {
      const lock = release.lock!;
      expect(lock, `${release.name} has a lock`).toBeDefined();
      for (const [apiName, api] of Object.entries(lock.apis)) {
        for (const operationId of Object.keys(api.operations)) {
          const row = table.split('\n').find((line) => line.startsWith(`| ${apiName} ${api.version} | \`${operationId}\` |`));
          expect(row, `${release.name} ${apiName} ${operationId}`).toBeDefined();
          expect(row).not.toMatch(/no reason given/);
        }
      }
    }
  });
});
