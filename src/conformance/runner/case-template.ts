/**
 * `${name}` placeholders in case requests: values captured by earlier cases of the same file, the file's `vars`,
 * and a few built-ins (`runId`, `buyerId`, `sellerId`, `now`, `now+30d`, `now-2h`). Kept apart from the runner so
 * the loader can check every placeholder at load time and tests can fill templates with sample values.
 */

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*(?:[+-]\d+[dhm])?)\}/g;
const WHOLE_PLACEHOLDER = /^\$\{([A-Za-z_][A-Za-z0-9_]*(?:[+-]\d+[dhm])?)\}$/;
const RELATIVE_NOW = /^now([+-])(\d+)([dhm])$/;

/** Values a template can draw from; a missing name is reported, never silently replaced by an empty string. */
export type TemplateValues = Readonly<Record<string, unknown>>;

/** Names of the placeholders used anywhere in a value (strings inside objects and arrays too). */
export function listPlaceholders(value: unknown): string[] {
  const names = new Set<string>();
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(PLACEHOLDER)) names.add(m[1]!);
    } else if (Array.isArray(v)) {
      v.forEach(visit);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, inner] of Object.entries(v)) {
        visit(k);
        visit(inner);
      }
    }
  };
  visit(value);
  return [...names];
}

/** True for names the runner always provides (`now`, `now+30d`, ...); the others must be captured or declared. */
export function isClockPlaceholder(name: string): boolean {
  return name === 'now' || RELATIVE_NOW.test(name);
}

function clockValue(name: string, now: Date): string | undefined {
  if (name === 'now') return now.toISOString();
  const m = RELATIVE_NOW.exec(name);
  if (!m) return undefined;
  const unitMs = m[3] === 'd' ? 86_400_000 : m[3] === 'h' ? 3_600_000 : 60_000;
  const sign = m[1] === '-' ? -1 : 1;
  return new Date(now.getTime() + sign * Number(m[2]) * unitMs).toISOString();
}

/** Placeholders of `value` that `values` (plus the clock) cannot fill. */
export function missingPlaceholders(value: unknown, values: TemplateValues): string[] {
  return listPlaceholders(value).filter((name) => !isClockPlaceholder(name) && values[name] === undefined);
}

/**
 * Fills every placeholder. A string that is exactly one placeholder takes the value as it is (a captured number
 * stays a number); inside longer strings values are written as text. Throws on a name nobody provides.
 */
export function fillTemplate<T>(value: T, values: TemplateValues, now: Date = new Date()): T {
  const lookup = (name: string): unknown => {
    const v = values[name] ?? clockValue(name, now);
    if (v === undefined) throw new Error(`no value for \${${name}}`);
    return v;
  };
  const fill = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const whole = WHOLE_PLACEHOLDER.exec(v);
      if (whole) return lookup(whole[1]!);
      return v.replace(PLACEHOLDER, (_m, name: string) => {
        const found = lookup(name);
        return typeof found === 'string' ? found : JSON.stringify(found);
      });
    }
    if (Array.isArray(v)) return v.map(fill);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, inner]) => [fill(k) as string, fill(inner)]));
    }
    return v;
  };
  return fill(value) as T;
}
