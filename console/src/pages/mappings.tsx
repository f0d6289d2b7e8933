/**
 * Mappings per partner: file, release, operation, engine (compiled or interpreted fallback), fixtures with their
 * result and diff, and the result of the last reload with its file:line problems.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { query, type MappingEntry, type Overview } from '../api.js';
import { href, useApi } from '../hooks.js';
import { Badge, LoadState, Problems, time } from '../ui.js';
import { PartnerPicker } from './partner-picker.js';

/** `#/mappings?partner=<id>`. */
export function MappingsPage(props: { params: URLSearchParams }): JSX.Element {
  const partner = props.params.get('partner') ?? '';
  const overview = useApi<Overview>('/overview');
  const mappings = useApi<MappingEntry[]>(partner ? `/mappings${query({ partner })}` : undefined);
  const choose = (id: string): void => {
    window.location.hash = `${href('mappings')}${query({ partner: id })}`;
  };
  return (
    <section aria-labelledby="mappings-title">
      <h1 id="mappings-title">Mappings</h1>
      <LastReload overview={overview.data} />
      <PartnerPicker value={partner} onChange={choose} />
      {partner && <LoadState loaded={mappings}>{(list) => <MappingTable partner={partner} list={list} />}</LoadState>}
    </section>
  );
}

function LastReload(props: { overview: Overview | undefined }): JSX.Element | null {
  const last = props.overview?.lastReload;
  if (!props.overview) return null;
  return (
    <div class="panel" aria-label="Last reload">
      <strong>Last reload:</strong>{' '}
      {last ? (
        <>
          <Badge tone={last.result === 'ok' ? 'ok' : 'bad'}>{last.result}</Badge> {time(last.at)}
          {last.problems.length > 0 && <Problems problems={last.problems} />}
        </>
      ) : (
        <span class="muted">none since start</span>
      )}{' '}
      <span class="muted">snapshot {props.overview.snapshotHash.slice(0, 12)}</span>
    </div>
  );
}

function MappingTable(props: { partner: string; list: MappingEntry[] }): JSX.Element {
  const [filter, setFilter] = useState('');
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = props.list.filter((m) => {
    const text = `${m.file} ${m.release ?? ''} ${m.api ?? ''} ${m.operation ?? ''} ${m.step ?? ''} ${m.engine}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
  const own = shown.filter((m) => m.owner === `partner:${props.partner}`);
  const shared = shown.filter((m) => m.owner !== `partner:${props.partner}`);
  const failing = props.list.filter((m) => m.fixtures.some((f) => !f.ok)).length;
  const fallback = props.list.filter((m) => m.engine === 'fallback').length;
  return (
    <>
      <p class="muted">
        {props.list.length} mappings · {failing} with failing fixtures · {fallback} on the interpreted fallback
      </p>
      <label>
        Filter
        <input type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} placeholder="file, release, operation…" />
      </label>
      <h2>The partner's own mappings ({own.length})</h2>
      <Rows label="Mappings" partner={props.partner} list={own} />
      <details open={words.length > 0}>
        <summary>
          <h2 class="inline">Shared mappings used with this partner ({shared.length})</h2>
        </summary>
        <Rows label="Shared mappings" partner={props.partner} list={shared} />
      </details>
    </>
  );
}

function Rows(props: { label: string; partner: string; list: MappingEntry[] }): JSX.Element {
  if (props.list.length === 0) return <p class="muted">None.</p>;
  return (
    <table aria-label={props.label} class="mappings">
      <thead>
        <tr>
          <th scope="col">File</th>
          <th scope="col">Release</th>
          <th scope="col">Operation</th>
          <th scope="col">Engine</th>
          <th scope="col">Fixtures</th>
        </tr>
      </thead>
      <tbody>
        {props.list.map((m) => (
          <tr key={m.id}>
            <td>
              <code>{m.file}</code>
              <div class="muted small">
                {m.owner}
                {m.step ? ` · ${m.step}` : ''} ·{' '}
                <a
                  href={`${href('playground')}${query({ partner: props.partner, file: m.file })}`}
                  aria-label={`Open ${m.file} in the playground`}
                >
                  playground
                </a>
              </div>
            </td>
            <td>{m.release ?? '—'}</td>
            <td>
              {m.api ?? ''} {m.operation ?? ''}
            </td>
            <td>
              <Badge tone={m.engine === 'compiled' ? 'ok' : 'warn'}>{m.engine}</Badge>
            </td>
            <td class="nowrap">
              <Fixtures fixtures={m.fixtures} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Fixtures(props: { fixtures: MappingEntry['fixtures'] }): JSX.Element {
  if (props.fixtures.length === 0) return <span class="muted">none</span>;
  const failed = props.fixtures.filter((f) => !f.ok).length;
  return (
    <details>
      <summary>
        <Badge tone={failed === 0 ? 'ok' : 'bad'}>
          {props.fixtures.length - failed}/{props.fixtures.length} pass
        </Badge>
      </summary>
      <ul class="fixtures">
        {props.fixtures.map((f) => (
          <li key={f.file}>
            <Badge tone={f.ok ? 'ok' : 'bad'}>{f.ok ? 'pass' : 'fail'}</Badge> <code>{f.file.split('/').pop()}</code>
            {f.description ? ` — ${f.description}` : ''}
            {!f.ok && f.diff && <pre class="diff">{Array.isArray(f.diff) ? f.diff.join('\n') : f.diff}</pre>}
          </li>
        ))}
      </ul>
    </details>
  );
}
