/** Small presentational pieces shared by the pages. */
import type { ComponentChildren, JSX } from 'preact';
import type { Loaded } from './hooks.js';

/** Shows a loading line or an error (role=alert), else the children. */
export function LoadState<T>(props: { loaded: Loaded<T>; children: (data: T) => JSX.Element }): JSX.Element {
  const { data, error, loading } = props.loaded;
  if (error)
    return (
      <p role="alert" class="error">
        {error}
      </p>
    );
  if (data === undefined) return <p class="muted">{loading ? 'Loading…' : 'Nothing to show.'}</p>;
  return props.children(data);
}

/** A coloured label: ok / bad / warn / neutral. */
export function Badge(props: { tone: 'ok' | 'bad' | 'warn' | 'neutral'; children: ComponentChildren }): JSX.Element {
  return <span class={`badge badge-${props.tone}`}>{props.children}</span>;
}

/** JSON, pretty-printed, in a scrollable block. */
export function Json(props: { value: unknown; label?: string }): JSX.Element {
  const text = props.value === undefined ? '(undefined)' : JSON.stringify(props.value, null, 2);
  return (
    <pre class="json" aria-label={props.label} tabIndex={0}>
      {text}
    </pre>
  );
}

/** `2026-12-05T19:00:00.000Z` -> local `2026-12-05 20:00:00`. */
export function time(iso: string | number | undefined): string {
  if (iso === undefined) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Problems of files as `file:line:col message` lines. */
export function Problems(props: { problems: { file: string; line?: number; column?: number; message: string }[] }): JSX.Element {
  return (
    <ul class="problems" aria-label="Problems">
      {props.problems.map((p, i) => (
        <li key={i}>
          <code>
            {p.file}
            {p.line !== undefined ? `:${p.line}` : ''}
            {p.column !== undefined ? `:${p.column}` : ''}
          </code>{' '}
          {p.message}
        </li>
      ))}
    </ul>
  );
}
