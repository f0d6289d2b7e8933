/**
 * Playground: pick a partner and a mapping, pick one of its fixtures or paste input JSON, edit the JSONata, Run. The
 * server evaluates with the runtime's engine, bindings and the owner's lookups, and never changes what is live.
 * Editors can save the input and the output as a new fixture.
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, query, type EvaluateResult, type MappingEntry, type MappingSource } from '../api.js';
import type { JsonataEditorProps } from '../editor.js';
import { href, useApi } from '../hooks.js';
import { useIsEditor } from '../session.js';
import { Badge, Json } from '../ui.js';
import { PartnerPicker } from './partner-picker.js';

/** `#/playground?partner=<id>&file=<mapping file>`. */
export function PlaygroundPage(props: { params: URLSearchParams }): JSX.Element {
  const partner = props.params.get('partner') ?? '';
  const file = props.params.get('file') ?? '';
  const mappings = useApi<MappingEntry[]>(partner ? `/mappings${query({ partner })}` : undefined);
  const go = (p: string, f: string): void => {
    window.location.hash = `${href('playground')}${query({ partner: p, file: f })}`;
  };
  return (
    <section aria-labelledby="playground-title">
      <h1 id="playground-title">Playground</h1>
      <div class="row">
        <PartnerPicker value={partner} onChange={(p) => go(p, '')} />
        <label>
          Mapping
          <select value={file} onChange={(e) => go(partner, e.currentTarget.value)} disabled={!partner}>
            <option value="">Choose a mapping</option>
            {(mappings.data ?? []).map((m) => (
              <option key={m.id} value={m.file}>
                {m.file}
              </option>
            ))}
          </select>
        </label>
      </div>
      {mappings.error && (
        <p role="alert" class="error">
          {mappings.error}
        </p>
      )}
      {file && <Workbench key={`${partner} ${file}`} partner={partner} file={file} />}
    </section>
  );
}

/** CodeMirror is most of the bundle: load it with the playground only (its own chunk). */
function LazyEditor(props: JsonataEditorProps): JSX.Element {
  const [Editor, setEditor] = useState<((p: JsonataEditorProps) => JSX.Element) | undefined>();
  useEffect(() => {
    void import('../editor.js').then((m) => setEditor(() => m.JsonataEditor));
  }, []);
  return Editor ? <Editor {...props} /> : <p class="muted">Loading editor…</p>;
}

function Workbench(props: { partner: string; file: string }): JSX.Element {
  const loaded = useApi<MappingSource>(`/mappings/source${query({ file: props.file })}`);
  const isEditor = useIsEditor();
  const [source, setSource] = useState('');
  const [input, setInput] = useState('{}');
  const [fixture, setFixture] = useState('');
  const [result, setResult] = useState<EvaluateResult | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const [running, setRunning] = useState(false);

  useEffect(() => {
    if (loaded.data) setSource(loaded.data.source);
  }, [loaded.data]);

  const chosen = loaded.data?.fixtures.find((f) => f.file === fixture);
  const pickFixture = (name: string): void => {
    setFixture(name);
    setResult(undefined);
    const f = loaded.data?.fixtures.find((x) => x.file === name);
    if (f) setInput(JSON.stringify(f.input, null, 2));
  };

  const run = (): void => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch (e) {
      setProblem(`Input is not JSON: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    setProblem(undefined);
    setRunning(true);
    const body = {
      partnerId: props.partner || undefined,
      file: props.file,
      source,
      input: parsed,
      bindings: chosen?.bindings,
      expected: chosen?.expected,
    };
    api<EvaluateResult>('/playground/evaluate', { method: 'POST', body }).then(
      (r) => {
        setResult(r);
        setRunning(false);
      },
      (e: unknown) => {
        setProblem(e instanceof Error ? e.message : String(e));
        setRunning(false);
      },
    );
  };

  if (loaded.error)
    return (
      <p role="alert" class="error">
        {loaded.error}
      </p>
    );
  if (!loaded.data) return <p class="muted">Loading…</p>;
  const error = result && !result.ok ? result.error : undefined;
  return (
    <div class="workbench">
      <div class="row">
        <label>
          Fixture
          <select value={fixture} onChange={(e) => pickFixture(e.currentTarget.value)}>
            <option value="">None (paste input)</option>
            {loaded.data.fixtures.map((f) => (
              <option key={f.file} value={f.file}>
                {f.file.split('/').pop()}
                {f.description ? ` — ${f.description}` : ''}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={run} disabled={running}>
          Run
        </button>
        <button type="button" class="secondary" onClick={() => setSource(loaded.data!.source)}>
          Revert mapping
        </button>
      </div>
      <div class="columns">
        <div>
          <h2>Mapping</h2>
          <LazyEditor value={source} onChange={setSource} error={error} label="JSONata mapping" />
        </div>
        <div>
          <h2>
            <label for="playground-input">Input JSON</label>
          </h2>
          <textarea
            id="playground-input"
            class="code"
            rows={18}
            value={input}
            onInput={(e) => setInput(e.currentTarget.value)}
            spellcheck={false}
          />
        </div>
      </div>
      {problem && (
        <p role="alert" class="error">
          {problem}
        </p>
      )}
      {result && (
        <Result result={result} expected={chosen !== undefined && chosen.expected !== undefined} expectedError={chosen?.expectedError} />
      )}
      {isEditor && result?.ok && <SaveFixture file={props.file} input={input} output={result.output} onSaved={loaded.reload} />}
    </div>
  );
}

/** Whether an evaluation meets a fixture's `expectedError` (every field given must match), and how it misses. */
function checkExpectedError(r: EvaluateResult, expected: unknown): { ok: boolean; why: string } {
  const want = (expected ?? {}) as { code?: string; messageIncludes?: string; kind?: string };
  if (r.ok) return { ok: false, why: `expected an error${want.code ? ` ${want.code}` : ''}, the mapping produced output` };
  if (want.code !== undefined && r.error.code !== want.code)
    return { ok: false, why: `expected error code ${want.code}, got ${r.error.code ?? 'none'}` };
  if (want.messageIncludes !== undefined && !r.error.message.includes(want.messageIncludes)) {
    return { ok: false, why: `expected the message to include "${want.messageIncludes}"` };
  }
  return { ok: true, why: 'fails as the fixture expects' };
}

function Result(props: { result: EvaluateResult; expected: boolean; expectedError?: unknown }): JSX.Element {
  const r = props.result;
  const errorCheck = props.expectedError !== undefined ? checkExpectedError(r, props.expectedError) : undefined;
  const errorVerdict = errorCheck && (
    <p role="status">
      <Badge tone={errorCheck.ok ? 'ok' : 'bad'}>
        {errorCheck.ok ? 'pass' : 'fail'}: {errorCheck.why}
      </Badge>
    </p>
  );
  if (!r.ok) {
    const at =
      r.error.line !== undefined ? ` at line ${r.error.line}${r.error.column !== undefined ? `, column ${r.error.column}` : ''}` : '';
    return (
      <section aria-label="Result" class="result">
        <h2>Result</h2>
        {errorVerdict}
        <p role="alert" class="error">
          <Badge tone="bad">error</Badge> {r.error.code ? `${r.error.code}: ` : ''}
          {r.error.message}
          {at}
        </p>
      </section>
    );
  }
  const same = !r.diff || r.diff.length === 0;
  return (
    <section aria-label="Result" class="result">
      <h2>Result</h2>
      {errorVerdict}
      <p role="status">
        {props.expected && r.diff !== undefined ? (
          same ? (
            <Badge tone="ok">pass: matches the expected output</Badge>
          ) : (
            <Badge tone="bad">fail: differs from the expected output</Badge>
          )
        ) : (
          <Badge tone="neutral">ran</Badge>
        )}{' '}
        <span class="muted">{r.ms.toFixed(1)} ms</span>
      </p>
      {!same && r.diff && (
        <pre class="diff" aria-label="Differences">
          {r.diff.join('\n')}
        </pre>
      )}
      <Json value={r.output} label="Output" />
    </section>
  );
}

function SaveFixture(props: { file: string; input: string; output: unknown; onSaved: () => void }): JSX.Element {
  const [name, setName] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | undefined>();
  const save = (e: Event): void => {
    e.preventDefault();
    const body = { file: props.file, name, input: JSON.parse(props.input) as unknown, expected: props.output };
    api<{ fixture: string }>('/fixtures', { method: 'POST', body }).then(
      (r) => {
        setMessage({ ok: true, text: `Saved ${r.fixture} (listed here after the next reload)` });
        props.onSaved();
      },
      (err: unknown) => setMessage({ ok: false, text: err instanceof Error ? err.message : String(err) }),
    );
  };
  return (
    <form class="row" onSubmit={save} aria-label="Save as fixture">
      <label>
        Fixture name
        <input value={name} onInput={(e) => setName(e.currentTarget.value)} required pattern="[A-Za-z0-9_-]+" />
      </label>
      <button type="submit">Save as fixture</button>
      {message && (
        <span role={message.ok ? 'status' : 'alert'} class={message.ok ? 'ok' : 'error'}>
          {message.text}
        </span>
      )}
    </form>
  );
}
