/**
 * A self-contained HTML report (one file, inline CSS and a small inline script, no external assets) that a
 * person can open from a CI artefact: totals, a table per function, and every case grouped by function with its
 * request, response, expected vs actual and the failure reason.
 */
import type { Exchange } from './seller-client.js';
import type { CaseResult, ConformanceReport } from './run-conformance.js';
import { erratumCorrections } from '../spec-errata.js';

const MAX_BODY_CHARS = 50_000;

/** Text safe in HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function anchor(prefix: string, name: string): string {
  return `${prefix}-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

function jsonBlock(value: unknown): string {
  let text = typeof value === 'string' ? value : (JSON.stringify(value, null, 2) ?? String(value));
  if (text.length > MAX_BODY_CHARS) text = `${text.slice(0, MAX_BODY_CHARS)}\n… (${text.length - MAX_BODY_CHARS} more characters)`;
  return `<pre class="body">${escapeHtml(text)}</pre>`;
}

function headerList(headers: Readonly<Record<string, string>>, only?: readonly string[]): string {
  const entries = Object.entries(headers).filter(([name]) => !only || only.includes(name) || name.startsWith('x-'));
  if (!entries.length) return '';
  return `<pre class="headers">${escapeHtml(entries.map(([k, v]) => `${k}: ${v}`).join('\n'))}</pre>`;
}

function exchangeHtml(x: Exchange, label: string): string {
  const req = x.request;
  const request = `<div class="half"><h4>${escapeHtml(label)} request</h4><p class="line"><b>${escapeHtml(req.method)}</b> ${escapeHtml(req.url)}</p>${headerList(req.headers)}${req.body !== undefined ? jsonBlock(req.body) : ''}</div>`;
  const response = x.response
    ? `<div class="half"><h4>response <span class="status s${Math.floor(x.response.status / 100)}">${x.response.status}</span> <span class="ms">${Math.round(x.durationMs)} ms</span></h4>${headerList(x.response.headers, ['content-type', 'location'])}${x.response.body !== undefined ? jsonBlock(x.response.body) : '<p class="muted">(no body)</p>'}</div>`
    : `<div class="half"><h4>response</h4><p class="reason">no answer: ${escapeHtml(x.error ?? 'unknown failure')}</p></div>`;
  return `<div class="exchange">${request}${response}</div>`;
}

function caseHtml(r: CaseResult): string {
  // a failed case lists every problem (the first is its reason); a skipped one has only its reason
  const failures = r.failures.length
    ? `<h4>expected vs actual</h4><ul class="failures" data-role="reason">${r.failures.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul>`
    : '';
  const reason =
    r.outcome !== 'pass' && r.reason && !r.failures.length ? `<p class="reason" data-role="reason">${escapeHtml(r.reason)}</p>` : '';
  const exchanges = r.exchanges.map((x, i) => exchangeHtml(x, i === 0 ? 'case' : 'last poll')).join('');
  return `<details class="case ${r.outcome}" id="${escapeHtml(anchor('case', r.id))}" data-outcome="${r.outcome}" data-case="${escapeHtml(r.id)}">
<summary><span class="badge ${r.outcome}">${r.outcome.toUpperCase()}</span> <span class="id">${escapeHtml(r.id)}</span> <span class="title">${escapeHtml(r.title)}</span> <span class="kind">${r.kind}</span> <span class="ms">${r.durationMs} ms</span></summary>
<div class="detail">
${reason}${failures}
<h4>expected</h4><ul class="expected">${r.expected.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul>
${r.verifies ? `<p class="verifies"><b>verifies:</b> ${escapeHtml(r.verifies)}</p>` : ''}
${exchanges}
<p class="muted source">${escapeHtml(r.source)}</p>
</div>
</details>`;
}

const STYLE = `
:root { --pass: #1a7f37; --fail: #cf222e; --skip: #9a6700; --line: #d0d7de; --muted: #57606a; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 0; padding: 24px 32px 48px; max-width: 1400px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h4 { margin: 12px 0 4px; font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.meta { color: var(--muted); margin: 0 0 16px; } .meta b { color: #1f2328; font-weight: 600; }
.verdict { padding: 10px 14px; border-radius: 6px; font-weight: 600; margin: 12px 0; }
.verdict.ok { background: #dafbe1; color: var(--pass); } .verdict.failed { background: #ffebe9; color: var(--fail); }
.totals { display: flex; gap: 12px; margin: 12px 0 20px; }
.total { border: 1px solid var(--line); border-radius: 8px; padding: 8px 18px; min-width: 110px; text-align: center; }
.total .n { display: block; font-size: 26px; font-weight: 700; } .total.pass .n { color: var(--pass); } .total.fail .n { color: var(--fail); } .total.skip .n { color: var(--skip); }
table.summary { border-collapse: collapse; min-width: 520px; } table.summary th, table.summary td { border: 1px solid var(--line); padding: 5px 12px; text-align: right; }
table.summary th:first-child, table.summary td:first-child { text-align: left; } table.summary thead { background: var(--bg); } table.summary tfoot { font-weight: 700; background: var(--bg); }
td.has-fail { color: var(--fail); font-weight: 700; }
.toolbar { margin: 20px 0 0; display: flex; gap: 8px; flex-wrap: wrap; }
.toolbar button { font: inherit; border: 1px solid var(--line); background: #fff; border-radius: 6px; padding: 4px 12px; cursor: pointer; }
.toolbar button[aria-pressed="true"] { background: #0969da; color: #fff; border-color: #0969da; }
details.case { border: 1px solid var(--line); border-left-width: 4px; border-radius: 6px; margin: 6px 0; background: #fff; }
details.case.pass { border-left-color: var(--pass); } details.case.fail { border-left-color: var(--fail); } details.case.skip { border-left-color: var(--skip); }
details.case > summary { cursor: pointer; padding: 6px 10px; list-style-position: inside; }
summary .id { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-weight: 600; margin: 0 6px; }
summary .kind, .ms { color: var(--muted); font-size: 12px; margin-left: 6px; }
.badge { display: inline-block; min-width: 44px; text-align: center; font-size: 11px; font-weight: 700; border-radius: 10px; padding: 1px 6px; color: #fff; }
.badge.pass { background: var(--pass); } .badge.fail { background: var(--fail); } .badge.skip { background: var(--skip); }
.detail { padding: 0 14px 12px; border-top: 1px solid var(--line); }
.reason { color: var(--fail); font-weight: 600; } details.skip .reason { color: var(--skip); }
ul.failures li { color: var(--fail); font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; }
ul.expected li { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; }
.exchange { display: flex; gap: 16px; margin-top: 8px; } .half { flex: 1 1 50%; min-width: 0; }
pre { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 8px; overflow: auto; max-height: 420px; margin: 4px 0; font-size: 12px; white-space: pre-wrap; word-break: break-word; }
.line { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; margin: 4px 0; word-break: break-all; }
.status { border-radius: 4px; padding: 0 6px; color: #fff; } .status.s2 { background: var(--pass); } .status.s4, .status.s5 { background: var(--fail); } .status.s1, .status.s3 { background: var(--muted); }
.muted { color: var(--muted); } .source { font-size: 12px; }
body.only-fail details.case:not(.fail), body.only-skip details.case:not(.skip), body.only-pass details.case:not(.pass) { display: none; }
`;

// Filters and "expand failures"; the report reads fine without it (details elements open on click).
const SCRIPT = `
(function () {
  var buttons = document.querySelectorAll('[data-filter]');
  buttons.forEach(function (b) {
    b.addEventListener('click', function () {
      document.body.className = b.dataset.filter === 'all' ? '' : 'only-' + b.dataset.filter;
      buttons.forEach(function (o) { o.setAttribute('aria-pressed', String(o === b)); });
    });
  });
  var expand = document.getElementById('expand-failures');
  if (expand) expand.addEventListener('click', function () {
    document.querySelectorAll('details.case.fail').forEach(function (d) { d.open = true; });
  });
  if (location.hash) { var target = document.getElementById(location.hash.slice(1)); if (target && target.tagName === 'DETAILS') target.open = true; }
})();
`;

/** Renders the whole report as one HTML document. */
export function renderHtmlReport(report: ConformanceReport): string {
  const t = report.totals;
  const verdict =
    t.failed > 0
      ? `<div class="verdict failed">FAILED: ${t.failed} of ${t.total} case(s) failed</div>`
      : `<div class="verdict ok">PASSED: no case failed (${t.passed} passed, ${t.skipped} skipped)</div>`;
  const rows = report.functions
    .map(
      (f) =>
        `<tr data-function="${escapeHtml(f.function)}"><td><a href="#${escapeHtml(anchor('fn', f.function))}">${escapeHtml(f.function)}</a></td><td data-col="passed">${f.passed}</td><td data-col="failed" class="${f.failed ? 'has-fail' : ''}">${f.failed}</td><td data-col="skipped">${f.skipped}</td><td>${Math.round(f.durationMs)}</td></tr>`,
    )
    .join('\n');
  const sections = report.functions
    .map((f) => {
      const cases = report.cases.filter((c) => c.function === f.function);
      return `<section class="function" id="${escapeHtml(anchor('fn', f.function))}" data-function="${escapeHtml(f.function)}">
<h2>${escapeHtml(f.function)} <span class="muted">${f.passed} passed, ${f.failed} failed, ${f.skipped} skipped</span></h2>
${cases.map(caseHtml).join('\n')}
</section>`;
    })
    .join('\n');
  const title = `Sonata conformance: ${report.partner} (${report.release})`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="meta">seller <b>${escapeHtml(report.baseUrl)}</b> · release <b>${escapeHtml(report.release)}</b> (official specs: ${escapeHtml(report.specRelease)}) · started <b>${escapeHtml(report.startedAt)}</b> · ${report.durationMs} ms</p>
${verdict}
<div class="totals" id="totals">
<div class="total pass"><span class="n" data-count="passed">${t.passed}</span>passed</div>
<div class="total fail"><span class="n" data-count="failed">${t.failed}</span>failed</div>
<div class="total skip"><span class="n" data-count="skipped">${t.skipped}</span>skipped</div>
<div class="total"><span class="n" data-count="total">${t.total}</span>cases</div>
</div>
<table class="summary">
<thead><tr><th>function</th><th>passed</th><th>failed</th><th>skipped</th><th>ms</th></tr></thead>
<tbody>
${rows}
</tbody>
<tfoot><tr><td>total</td><td>${t.passed}</td><td>${t.failed}</td><td>${t.skipped}</td><td>${report.durationMs}</td></tr></tfoot>
</table>
<div class="toolbar">
<button type="button" data-filter="all" aria-pressed="true">all</button>
<button type="button" data-filter="fail" aria-pressed="false">failed</button>
<button type="button" data-filter="skip" aria-pressed="false">skipped</button>
<button type="button" data-filter="pass" aria-pressed="false">passed</button>
<button type="button" id="expand-failures">expand failures</button>
</div>
${sections}
${errataSection(report)}
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/** The corrections to the official files the answers were validated with, each with its reason. */
function errataSection(report: ConformanceReport): string {
  if (report.errata.length === 0) return '';
  const code = (name: string) => `<code>${escapeHtml(name)}</code>`;
  const items = report.errata.map(
    (e) =>
      `<li data-erratum="${escapeHtml(e.id)}"><b>${escapeHtml(e.id)}</b>: ${escapeHtml(e.api)} ${code(e.schema)} ${erratumCorrections(e, code).join('; ')}. ${escapeHtml(e.why)}</li>`,
  );
  return `<section class="errata" id="errata"><h2>Spec errata applied</h2>\n<ul>\n${items.join('\n')}\n</ul></section>`;
}
