/**
 * Which property of the partner's request a field the legacy BSS refused (RC 8, `ERR_FIELD`) came from.
 *
 * An operation's `legacyFieldPaths` maps legacy field names to JSON pointers into the partner's request. A name may
 * hold `[*]` for "any line": `LINES[*].BW_MBPS: /quoteItem/*\/product/productConfiguration` answers a refusal of
 * `LINES[3].BW_MBPS` at `/quoteItem/3/product/productConfiguration`; each `[*]` gives its index to the pointer's
 * `*` segments, in order. An exact name wins over a pattern. The buyer side's {@link mapPropertyPath} is the same
 * idea the other way round (a seller's pointer to our legacy field).
 */

/** A field pattern checked at load: where its `[*]` and its pointer's `*` segments do not pair up. */
export function fieldPathProblem(field: string, pointer: string): string | undefined {
  const indexes = field.split('[*]').length - 1;
  const segments = pointer.split('/').filter((s) => s === '*').length;
  if (indexes !== segments) {
    return `"${field}" has ${indexes} [*] but its pointer ${pointer} has ${segments} * segment${segments === 1 ? '' : 's'}: each [*] gives its index to one *`;
  }
  return undefined;
}

/** The JSON pointer for a refused legacy field, or undefined when no entry names it. */
export function legacyFieldToPointer(fieldPaths: Readonly<Record<string, string>>, field: string): string | undefined {
  const exact = fieldPaths[field];
  if (exact !== undefined) return exact;
  for (const [pattern, pointer] of Object.entries(fieldPaths)) {
    if (!pattern.includes('[*]')) continue;
    const indexes = matchIndexes(pattern, field);
    if (indexes === undefined) continue;
    let n = 0;
    return pointer
      .split('/')
      .map((segment) => (segment === '*' ? (indexes[n++] ?? '*') : segment))
      .join('/');
  }
  return undefined;
}

/** The indexes a pattern's `[*]`s match in `field` (`LINES[*].X` against `LINES[12].X` -> ['12']). */
function matchIndexes(pattern: string, field: string): string[] | undefined {
  const parts = pattern.split('[*]');
  const indexes: string[] = [];
  let at = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (!field.startsWith(part, at)) return undefined;
    at += part.length;
    if (i === parts.length - 1) return at === field.length ? indexes : undefined;
    const index = /^\[(\d+)\]/.exec(field.slice(at));
    if (index === null) return undefined;
    indexes.push(index[1]!);
    at += index[0].length;
  }
  return undefined;
}
