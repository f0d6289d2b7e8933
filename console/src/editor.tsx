/**
 * The JSONata editor: CodeMirror 6 with the JSONata tokenizer, and the engine's error shown as a lint diagnostic
 * at its line:column (set from outside with `error`).
 */
import type { JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { EditorState, type Extension } from '@codemirror/state';
import { drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { jsonata } from './jsonata-mode.js';

/**
 * What the editor needs for short mapping files: line numbers, history, selection, bracket matching, highlighting and
 * the standard keys. Not `basicSetup`: its autocompletion, search panel and folding would double the chunk.
 */
const SETUP: Extension = [
  lineNumbers(),
  highlightActiveLineGutter(),
  highlightActiveLine(),
  history(),
  drawSelection(),
  indentOnInput(),
  bracketMatching(),
  syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
  // no Tab binding: keyboard users leave the editor with Tab (WCAG 2.1.2)
  keymap.of([...defaultKeymap, ...historyKeymap]),
];

/** Where the engine reported an error (1-based line and column, in the editor's text). */
export interface EditorError {
  message: string;
  line?: number;
  column?: number;
}

/** Props of {@link JsonataEditor}. */
export interface JsonataEditorProps {
  /** the text to show; replaces the editor's content when it changes from outside */
  value: string;
  onChange: (value: string) => void;
  error?: EditorError;
  /** accessible name of the editing area */
  label: string;
}

/** A controlled CodeMirror editor for JSONata. */
export function JsonataEditor(props: JsonataEditorProps): JSX.Element {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;

  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: props.value,
        extensions: [
          SETUP,
          jsonata,
          lintGutter(),
          EditorView.contentAttributes.of({ 'aria-label': props.label }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) onChange.current(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => v.destroy();
    // created once; value and error are pushed in by the effects below
  }, []);

  useEffect(() => {
    const v = view.current;
    if (!v || v.state.doc.toString() === props.value) return;
    v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: props.value } });
  }, [props.value]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    v.dispatch(setDiagnostics(v.state, props.error ? [diagnosticAt(v.state, props.error)] : []));
  }, [props.error, props.value]);

  return <div class="editor" ref={host} />;
}

/** The engine's line:column as a one-token diagnostic (the whole first line when it gave no position). */
function diagnosticAt(state: EditorState, error: EditorError): Diagnostic {
  const doc = state.doc;
  const lineNo = Math.min(Math.max(error.line ?? 1, 1), doc.lines);
  const line = doc.line(lineNo);
  const from = Math.min(line.from + Math.max((error.column ?? 1) - 1, 0), line.to);
  const rest = doc.sliceString(from, line.to);
  const token = /^[\w$]+/.exec(rest)?.[0].length ?? 1;
  const to = error.line === undefined ? line.to : Math.min(from + token, line.to);
  const where = error.line !== undefined ? `line ${error.line}${error.column !== undefined ? `, column ${error.column}` : ''}: ` : '';
  return { from, to: Math.max(to, from), severity: 'error', message: where + error.message };
}
