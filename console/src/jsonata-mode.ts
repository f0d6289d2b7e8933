/**
 * JSONata highlighting for CodeMirror 6 as a small stream tokenizer: comments, strings, backquoted names, numbers,
 * $variables and $functions, keywords and operators. Enough to read a mapping; the engine does the parsing.
 */
import { StreamLanguage, type StreamParser } from '@codemirror/language';

interface State {
  inComment: boolean;
}

const KEYWORDS = new Set(['and', 'or', 'in', 'function', 'λ']);
const ATOMS = new Set(['true', 'false', 'null']);

const parser: StreamParser<State> = {
  name: 'jsonata',
  startState: () => ({ inComment: false }),
  token(stream, state) {
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
    if (stream.match(/^-?\d+(\.\d+)?([eE][+-]?\d+)?/)) return 'number';
    if (stream.match(/^\$[\w$]*/)) return stream.peek() === '(' ? 'function' : 'variableName';
    if (stream.match(/^[A-Za-z_λ][\w]*/)) {
      const word = stream.current();
      if (KEYWORDS.has(word)) return 'keyword';
      if (ATOMS.has(word)) return 'atom';
      return 'propertyName';
    }
    if (stream.match(/^(:=|!=|<=|>=|~>|\.\.|\?:|\?\?|[-+*/%&=<>!?:~^#@|.])/)) return 'operator';
    stream.next();
    return null;
  },
  languageData: { commentTokens: { block: { open: '/*', close: '*/' } } },
};

/** The JSONata language extension. */
export const jsonata = StreamLanguage.define(parser);
