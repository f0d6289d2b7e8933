/** Conformance: run the conformance suite for a partner and release against this gateway (editors), per-case result. */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, type ConformanceRun } from '../api.js';
import { useIsEditor } from '../session.js';
import { Badge } from '../ui.js';
import { PartnerPicker, usePartners } from './partner-picker.js';

const TONE = { passed: 'ok', failed: 'bad', skipped: 'neutral' } as const;

/** `#/conformance`. */
export function ConformancePage(): JSX.Element {
  const partners = usePartners();
  const isEditor = useIsEditor();
  const [partner, setPartner] = useState('');
  const [release, setRelease] = useState('');
  const [run, setRun] = useState<ConformanceRun | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [running, setRunning] = useState(false);
  const releases = [...new Set(Object.values(partners.find((p) => p.id === partner)?.releases ?? {}))].sort();

  const start = (e: Event): void => {
    e.preventDefault();
    setRunning(true);
    setError(undefined);
    setRun(undefined);
    api<ConformanceRun>('/conformance/runs', { method: 'POST', body: { partnerId: partner, release } }).then(
      (r) => {
        setRun(r);
        setRunning(false);
      },
      (err: unknown) => {
        setError(err instanceof Error ? err.message : String(err));
        setRunning(false);
      },
    );
  };

  return (
    <section aria-labelledby="conformance-title">
      <h1 id="conformance-title">Conformance</h1>
      <form class="row" onSubmit={start} aria-label="Conformance run">
        <PartnerPicker
          value={partner}
          onChange={(p) => {
            setPartner(p);
            setRelease('');
          }}
        />
        <label>
          Release
          <select value={release} onChange={(e) => setRelease(e.currentTarget.value)} disabled={!partner}>
            <option value="">Choose a release</option>
            {releases.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        {isEditor ? (
          <button type="submit" disabled={!partner || !release || running}>
            {running ? 'Running…' : 'Run'}
          </button>
        ) : (
          <span class="muted">Only editors run the conformance suite.</span>
        )}
      </form>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {run && (
        <>
          <p role="status">
            <Badge tone="ok">{run.passed} passed</Badge> <Badge tone={run.failed ? 'bad' : 'neutral'}>{run.failed} failed</Badge>{' '}
            <Badge tone="neutral">{run.skipped} skipped</Badge>
          </p>
          <table aria-label="Conformance cases">
            <thead>
              <tr>
                <th scope="col">Case</th>
                <th scope="col">Result</th>
                <th scope="col">Reason</th>
                <th scope="col">ms</th>
              </tr>
            </thead>
            <tbody>
              {run.cases.map((c) => (
                <tr key={c.name}>
                  <td>{c.name}</td>
                  <td>
                    <Badge tone={TONE[c.status]}>{c.status}</Badge>
                  </td>
                  <td>{c.reason ?? ''}</td>
                  <td>{Math.round(c.ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
