/**
 * Redaction of the bodies the activity log keeps: values under configured object keys (case-insensitive, at any
 * depth) and at configured JSON pointers are replaced before anything is stored.
 */
import { isRecord } from '../json/unknown-values.js';

/** What is redacted. */
export interface RedactionSettings {
  /** object keys whose values are replaced wherever they appear (compared case-insensitively) */
  readonly keys: readonly string[];
  /**
   * JSON pointers (RFC 6901) whose values are replaced; a `*` segment matches any one key or array index and a `**`
   * segment any number of them (e.g. `/**\/relatedContactInformation/*\/number`)
   */
  readonly pointers: readonly string[];
}

/** The value a redacted member gets. */
export const REDACTED = '[redacted]';

/** A redactor: returns a redacted copy of a JSON value (the input is never modified). */
export type Redactor = (value: unknown) => unknown;

type Segment = string | typeof ANY | typeof ANY_DEPTH;
const ANY = Symbol('any');
const ANY_DEPTH = Symbol('any-depth');

/** One position in one pointer pattern. */
interface PointerState {
  readonly pattern: readonly Segment[];
  readonly at: number;
}

/** Compiles the settings once; the redactor walks a body once, copying it. */
export function createRedactor(settings: RedactionSettings): Redactor {
  const keys = new Set(settings.keys.map((k) => k.toLowerCase()));
  const patterns = settings.pointers.map(parsePointer);
  const start: PointerState[] = patterns.map((pattern) => ({ pattern, at: 0 }));

  const walk = (value: unknown, states: readonly PointerState[]): unknown => {
    if (!Array.isArray(value) && !isRecord(value)) return value;
    if (Array.isArray(value)) {
      const out: unknown[] = new Array(value.length);
      for (let i = 0; i < value.length; i++) {
        const next = states.length ? advance(states, String(i)) : states;
        out[i] = next === REDACT ? REDACTED : walk(value[i], next);
      }
      return out;
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const member = value[key];
      if (keys.has(key.toLowerCase()) && member !== undefined) {
        out[key] = REDACTED;
        continue;
      }
      const next = states.length ? advance(states, key) : states;
      out[key] = next === REDACT ? REDACTED : walk(member, next);
    }
    return out;
  };
  return (value) => walk(value, start);
}

const REDACT = Symbol('redact');

/** The states after stepping into `key`; REDACT when a pattern ends there. */
function advance(states: readonly PointerState[], key: string): PointerState[] | typeof REDACT {
  const next: PointerState[] = [];
  for (const s of states) {
    const seg = s.pattern[s.at];
    if (seg === ANY_DEPTH) {
      // `**` stays (it may match more segments) and also lets the rest of the pattern try this key
      next.push(s);
      const after = s.pattern[s.at + 1];
      if (after === undefined) return REDACT;
      if (after === ANY || after === key) {
        if (s.at + 2 === s.pattern.length) return REDACT;
        next.push({ pattern: s.pattern, at: s.at + 2 });
      }
      continue;
    }
    if (seg === ANY || seg === key) {
      if (s.at + 1 === s.pattern.length) return REDACT;
      next.push({ pattern: s.pattern, at: s.at + 1 });
    }
  }
  return next;
}

/** `/a/*\/b` -> ['a', ANY, 'b']; `~1` and `~0` decoded. The empty pointer (the whole body) is not allowed. */
export function parsePointer(pointer: string): Segment[] {
  if (!pointer.startsWith('/')) throw new Error(`${pointer}: a JSON pointer starts with /`);
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => {
      if (raw === '*') return ANY;
      if (raw === '**') return ANY_DEPTH;
      return raw.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

/** Query parameters named like a redacted key get the redacted value (the URL stays readable otherwise). */
export function redactQuery(url: string, keys: ReadonlySet<string>): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  let changed = false;
  for (const name of new Set(params.keys())) {
    if (keys.has(name.toLowerCase())) {
      params.set(name, REDACTED);
      changed = true;
    }
  }
  return changed ? `${url.slice(0, q)}?${params.toString()}` : url;
}
