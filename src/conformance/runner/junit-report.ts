/**
 * JUnit XML for CI systems: one `<testsuite>` per business function, one `<testcase>` per case, `<failure>` with
 * the expected-vs-actual lines, `<skipped>` with the reason.
 */
import type { CaseResult, ConformanceReport } from './run-conformance.js';

// XML 1.0 allows neither most control characters nor lone surrogates, even escaped
const INVALID_XML =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text safe inside XML attribute values and element content. */
export function escapeXml(text: string): string {
  return text
    .replace(INVALID_XML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function exchangeText(r: CaseResult): string {
  return r.exchanges
    .map((x) => {
      const answer = x.response
        ? `${x.response.status} ${JSON.stringify(x.response.body ?? null).slice(0, 2000)}`
        : `no answer: ${x.error ?? ''}`;
      return `${x.request.method} ${x.request.url}\n-> ${answer}`;
    })
    .join('\n');
}

function testcase(r: CaseResult, classname: string): string {
  const open = `    <testcase classname="${escapeXml(classname)}" name="${escapeXml(`${r.id} ${r.title}`)}" time="${seconds(r.durationMs)}"`;
  if (r.outcome === 'pass') return `${open}/>`;
  if (r.outcome === 'skip') return `${open}>\n      <skipped message="${escapeXml(r.reason ?? 'skipped')}"/>\n    </testcase>`;
  const detail = [
    ...r.failures.map((f) => `- ${f}`),
    '',
    'expected:',
    ...r.expected.map((e) => `  ${e}`),
    '',
    exchangeText(r),
    `(${r.source})`,
  ].join('\n');
  return `${open}>\n      <failure message="${escapeXml(r.reason ?? 'failed')}" type="conformance">${escapeXml(detail)}</failure>\n    </testcase>`;
}

/** Renders the report as JUnit XML (the common Jenkins/GitLab/GitHub dialect). */
export function renderJunitReport(report: ConformanceReport): string {
  const suites = report.functions.map((f) => {
    const cases = report.cases.filter((c) => c.function === f.function);
    const classname = `sonata.${report.release}.${f.function}`;
    return [
      `  <testsuite name="${escapeXml(f.function)}" tests="${cases.length}" failures="${f.failed}" errors="0" skipped="${f.skipped}" time="${seconds(f.durationMs)}" timestamp="${escapeXml(report.startedAt.replace(/\.\d+Z$/, ''))}">`,
      '    <properties>',
      `      <property name="partner" value="${escapeXml(report.partner)}"/>`,
      `      <property name="release" value="${escapeXml(report.release)}"/>`,
      `      <property name="baseUrl" value="${escapeXml(report.baseUrl)}"/>`,
      '    </properties>',
      ...cases.map((c) => testcase(c, classname)),
      '  </testsuite>',
    ].join('\n');
  });
  const t = report.totals;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escapeXml(`Sonata conformance: ${report.partner} (${report.release})`)}" tests="${t.total}" failures="${t.failed}" errors="0" skipped="${t.skipped}" time="${seconds(report.durationMs)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
