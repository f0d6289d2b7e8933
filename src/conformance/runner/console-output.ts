/**
 * What a person sees in the terminal: one line per case as it finishes, a live counter on a TTY, and a summary
 * table per function at the end.
 */
import type { ConformanceProgress, ConformanceReport, CaseResult } from './run-conformance.js';
import { describeErratum } from '../spec-errata.js';

export interface ProgressReporterOptions {
  /** where lines go (stdout) */
  write: (text: string) => void;
  /** a terminal: keep a counter line at the bottom, rewritten in place */
  tty?: boolean;
  /** colour the outcome words (defaults to `tty`) */
  color?: boolean;
}

const COLORS = { pass: '\u001b[32m', fail: '\u001b[31m', skip: '\u001b[33m' } as const;
const RESET = '\u001b[0m';
const CLEAR_LINE = '\r\u001b[2K';

function outcomeWord(r: CaseResult, color: boolean): string {
  const word = r.outcome.toUpperCase().padEnd(4);
  return color ? `${COLORS[r.outcome]}${word}${RESET}` : word;
}

/** One progress line per case: outcome, function, case id, milliseconds, title (and the reason when not passed). */
export function formatCaseLine(r: CaseResult, color = false): string {
  const line = `${outcomeWord(r, color)}  ${r.function.padEnd(28)} ${r.id.padEnd(10)} ${String(r.durationMs).padStart(6)} ms  ${r.title}`;
  return r.outcome === 'pass' || !r.reason ? line : `${line}\n      ${r.reason}`;
}

/** Progress hooks for {@link runConformance} that print as cases finish. */
export function createProgressReporter(opts: ProgressReporterOptions): ConformanceProgress {
  const tty = opts.tty ?? false;
  const color = opts.color ?? tty;
  let total = 0;
  const counts = { pass: 0, fail: 0, skip: 0 };
  const counter = (): string => {
    const done = counts.pass + counts.fail + counts.skip;
    return `[${done}/${total}] ${counts.pass} passed, ${counts.fail} failed, ${counts.skip} skipped`;
  };
  return {
    onStart(info) {
      total = info.total;
      opts.write(`conformance: ${info.total} case(s) for ${info.partner} (${info.release}) against ${info.baseUrl}\n`);
      if (tty) opts.write(counter());
    },
    onCaseStart(c) {
      if (tty) opts.write(`${CLEAR_LINE}${counter()}  running ${c.id}…`);
    },
    onCaseDone(result) {
      counts[result.outcome]++;
      opts.write(`${tty ? CLEAR_LINE : ''}${formatCaseLine(result, color)}\n`);
      if (tty) opts.write(counter());
    },
  };
}

/** A plain-text table: one row per function with passed/failed/skipped, then the totals. */
export function formatSummaryTable(report: ConformanceReport): string {
  const header = ['function', 'passed', 'failed', 'skipped', 'ms'];
  const rows = report.functions.map((f) => [
    f.function,
    String(f.passed),
    String(f.failed),
    String(f.skipped),
    String(Math.round(f.durationMs)),
  ]);
  const totals = [
    'total',
    String(report.totals.passed),
    String(report.totals.failed),
    String(report.totals.skipped),
    String(report.durationMs),
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...[...rows, totals].map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const lines = [fmt(header), rule, ...rows.map(fmt), rule, fmt(totals)];
  const verdict =
    report.totals.failed > 0
      ? `FAILED: ${report.totals.failed} of ${report.totals.total} case(s) failed`
      : `OK: ${report.totals.passed} passed, ${report.totals.skipped} skipped`;
  const errata = report.errata.map((e) => `  ${e.id}: ${describeErratum(e)} (${e.source})`);
  const errataText = errata.length
    ? `\nvalidated with ${errata.length} spec erratum/errata (mappings/spec-errata.yaml says why):\n${errata.join('\n')}\n`
    : '';
  return `\n${lines.join('\n')}\n${errataText}\n${verdict}\n`;
}
