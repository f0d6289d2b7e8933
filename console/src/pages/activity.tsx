/**
 * Activity: recent requests per partner (newest first), search by correlation id, and a request's chain of hops
 * with status and time, bodies expandable. Says so when capture is off.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { query, type ActivityRecord } from '../api.js';
import { href, useApi } from '../hooks.js';
import { Badge, Json, LoadState, time } from '../ui.js';
import { PartnerPicker } from './partner-picker.js';

function statusTone(status: number | undefined): 'ok' | 'warn' | 'bad' | 'neutral' {
  if (status === undefined) return 'neutral';
  return status >= 500 ? 'bad' : status >= 400 ? 'warn' : 'ok';
}

/** `#/activity?partner=<id>&id=<correlation id>`. */
export function ActivityPage(props: { params: URLSearchParams }): JSX.Element {
  const partner = props.params.get('partner') ?? '';
  const id = props.params.get('id') ?? '';
  const [search, setSearch] = useState(id);
  const go = (p: string, c: string): void => {
    window.location.hash = `${href('activity')}${query({ partner: p, id: c })}`;
  };
  const list = useApi<{ enabled: boolean; records: ActivityRecord[] }>(`/activity${query({ partner, limit: 50 })}`);
  return (
    <section aria-labelledby="activity-title">
      <h1 id="activity-title">Activity</h1>
      <div class="row">
        <PartnerPicker value={partner} onChange={(p) => go(p, '')} allowNone noneLabel="All partners" />
        <form
          class="row"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            go(partner, search.trim());
          }}
        >
          <label>
            Correlation id
            <input value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
          </label>
          <button type="submit">Find</button>
        </form>
        <button type="button" class="secondary" onClick={list.reload}>
          Refresh
        </button>
      </div>
      {id && <RecordDetail id={id} />}
      <LoadState loaded={list}>
        {(data) =>
          !data.enabled ? (
            <p role="status" class="panel">
              Activity capture is off: nothing is recorded (see docs/console.md to turn it on).
            </p>
          ) : (
            <RecordTable records={data.records} onOpen={(c) => go(partner, c)} />
          )
        }
      </LoadState>
    </section>
  );
}

function RecordTable(props: { records: ActivityRecord[]; onOpen: (id: string) => void }): JSX.Element {
  if (props.records.length === 0) return <p class="muted">No requests recorded yet.</p>;
  return (
    <table aria-label="Recent requests">
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Partner</th>
          <th scope="col">Request</th>
          <th scope="col">Status</th>
          <th scope="col">ms</th>
          <th scope="col">Correlation id</th>
        </tr>
      </thead>
      <tbody>
        {props.records.map((r) => (
          <tr key={r.correlationId}>
            <td>{time(r.startedAt)}</td>
            <td>{r.partnerId ?? '—'}</td>
            <td>
              <code>
                {r.method} {r.path}
              </code>
              {r.operationId && <div class="muted small">{r.operationId}</div>}
            </td>
            <td>
              <Badge tone={statusTone(r.status)}>{r.status}</Badge>
            </td>
            <td>{Math.round(r.ms)}</td>
            <td>
              <button type="button" class="link" onClick={() => props.onOpen(r.correlationId)}>
                {r.correlationId}
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RecordDetail(props: { id: string }): JSX.Element {
  const record = useApi<ActivityRecord>(`/activity/${encodeURIComponent(props.id)}`);
  return (
    <section class="panel" aria-label={`Request ${props.id}`}>
      <LoadState loaded={record}>
        {(r) => (
          <>
            <h2>
              <code>
                {r.method} {r.path}
              </code>{' '}
              <Badge tone={statusTone(r.status)}>{r.status}</Badge>
            </h2>
            <p class="muted">
              {r.correlationId} · {r.partnerId ?? 'no partner'} · {r.release ?? ''} {r.api ?? ''} {r.operationId ?? ''} ·{' '}
              {time(r.startedAt)} · {Math.round(r.ms)} ms
            </p>
            <ol class="hops" aria-label="Hops">
              {r.hops.map((h, i) => (
                <li key={i}>
                  <strong>{h.kind}</strong> {h.status !== undefined && <Badge tone={statusTone(h.status)}>{h.status}</Badge>}{' '}
                  {h.method ?? ''} {h.url && <code>{h.url}</code>} {h.ms !== undefined && <span class="muted">{Math.round(h.ms)} ms</span>}{' '}
                  {h.mapping && <span class="muted small">via {h.mapping}</span>} {h.note && <em>{h.note}</em>}
                  {h.body !== undefined && (
                    <details>
                      <summary>Body</summary>
                      <Json value={h.body} label={`Body of ${h.kind}`} />
                    </details>
                  )}
                </li>
              ))}
            </ol>
          </>
        )}
      </LoadState>
    </section>
  );
}
