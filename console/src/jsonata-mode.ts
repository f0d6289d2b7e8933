/**
 * JSONata highlighting for CodeMirror 6 as a small stream tokenizer: comments, strings, backquoted names, numbers,
 * $variables and $functions, keywords and operators. Enough to read a mapping; the engine does the parsing.
 */
import { StreamLanguage, type StreamParser, type StringStream } from '@codemirror/language';

interface State {
  inComment: boolean;
  /** the last token ended an operand (name, value, closing bracket): a `/` after it divides, else it starts a regex */
  afterOperand: boolean;
}

const KEYWORDS = new Set(['and', 'or', 'in', 'function', 'λ']);
const ATOMS = new Set(['true', 'false', 'null']);

const parser: StreamParser<State> = {
  name: 'jsonata',
  startState: () => ({ inComment: false, afterOperand: false }),
  token(stream, state) {
    const style = tokenize(stream, state);
    if (style !== null && style !== 'comment') state.afterOperand = style !== 'operator' && style !== 'keyword' && style !== 'bracket-open';
    return style === 'bracket-open' ? null : style;
  },
  languageData: { commentTokens: { block: { open: '/*', close: '*/' } } },
};

/** One token; `bracket-open` is an unstyled opening bracket (no operand before a regex). */
function tokenize(stream: StringStream, state: State): string | null {
  if (state.inComment) {
    if (stream.skipTo('*/')) {
      stream.next();
      stream.next();
      state.inComment = false;
    } else stream.skipToEnd();
    return 'comment';
  }
  if (stream.eatSpace()) return null;
  if (stream.match('/*')) {
    state.inComment = true;
    return 'comment';
  }
  const ch = stream.peek();
  if (ch === '"' || ch === "'") {
    stream.next();
    let escaped = false;
    let c: string | void;
    while ((c = stream.next()) !== undefined) {
      if (c === ch && !escaped) break;
      escaped = !escaped && c === '\\';
    }
    return 'string';
  }
  if (ch === '`') {
    stream.next();
    if (stream.skipTo('`')) stream.next();
    else stream.skipToEnd();
    return 'propertyName';
  }
  if (ch === '/' && !state.afterOperand && stream.match(/^\/(?:[^/\\\n]|\\.)+\/[im]*/)) return 'regexp';
  if (stream.match(/^-?\d+(\.\d+)?([eE][+-]?\d+)?/)) return 'number';
  if (stream.match(/^\$[\w$]*/)) return stream.peek() === '(' ? 'function' : 'variableName';
  if (stream.match(/^[A-Za-z_λ][\w]*/)) {
    const word = stream.current();
    if (KEYWORDS.has(word)) return 'keyword';
    if (ATOMS.has(word)) return 'atom';
    return 'propertyName';
  }
  if (stream.match(/^(:=|!=|<=|>=|~>|\.\.|\?:|\?\?|[-+*/%&=<>!?:~^#@|.,;])/)) return 'operator';
  const c = stream.next();
  return c === '(' || c === '[' || c === '{' ? 'bracket-open' : 'bracket';
}

/** The JSONata language extension. */
export const jsonata = StreamLanguage.define(parser);
