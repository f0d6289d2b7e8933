/**
 * Which property of the partner's request a field the legacy BSS refused (RC 8, `ERR_FIELD`) came from.
 *
 * A `legacyFieldPaths` table (of an API in its api.yaml, of one operation) is written the way the buyer side's
 * `fieldPaths` is: a JSON pointer into the partner's request -> the legacy field, or the list of legacy fields, made
 * from it (`/relatedContactInformation: [CONTACT_NAME, CONTACT_PHONE]`). The loader turns it round into legacy field ->
 * pointer ({@link readLegacyFieldPaths}). A name may hold `[*]` for "any line": `/quoteItem/*\/product/place:
 * "LINES[*].ADDR_KEY"` answers a refusal of `LINES[3].ADDR_KEY` at `/quoteItem/3/product/place`; each `[*]` gives its
 * index to the pointer's `*` segments, in order. An exact name wins over a pattern. The buyer side's
 * {@link mapPropertyPath} is the same idea the other way round (a seller's pointer to our legacy field).
 */

/** A `legacyFieldPaths` table as written: partner pointer -> legacy field(s). */
export type LegacyFieldPathsFile = Readonly<Record<string, string | readonly string[]>>;

/** A problem of one entry of a written table: its key (the pointer as written) and what is wrong. */
export interface LegacyFieldPathsProblem {
  key: string;
  message: string;
}

/** A legacy field name: `NAME`, `LINES[*].NAME`, `LINES[0].PARTS[*].NAME`... */
const LEGACY_FIELD = /^[A-Za-z][A-Za-z0-9_]*(\[(\d+|\*)\])?(\.[A-Za-z][A-Za-z0-9_]*(\[(\d+|\*)\])?)*$/;

/**
 * A written table turned round (legacy field -> pointer), with the problems of its entries: a key that is no JSON
 * pointer (the old way round, `CUST_ORDER_REF: /externalId`, is named as such), a value that is no legacy field name,
 * a legacy field under two pointers, a pattern whose `[*]` and `*` do not pair up.
 */
export function readLegacyFieldPaths(table: LegacyFieldPathsFile | undefined): {
  paths: Record<string, string>;
  problems: LegacyFieldPathsProblem[];
} {
  const paths: Record<string, string> = {};
  const problems: LegacyFieldPathsProblem[] = [];
  for (const [pointer, value] of Object.entries(table ?? {})) {
    const fields = typeof value === 'string' ? [value] : [...value];
    if (!pointer.startsWith('/')) {
      const turned = fields.length === 1 && fields[0]!.startsWith('/') ? `: write it \`${fields[0]}: ${pointer}\`` : '';
      problems.push({
        key: pointer,
        message: `"${pointer}" is no JSON pointer: a key is where in the partner's request (/...), its value the legacy field(s) made from it${turned}`,
      });
      continue;
    }
    for (const field of fields) {
      if (!LEGACY_FIELD.test(field)) {
        problems.push({ key: pointer, message: `"${field}" is no legacy field name (NAME, LINES[*].NAME, LINES[0].NAME...)` });
        continue;
      }
      const wrong = fieldPathProblem(field, pointer);
      if (wrong !== undefined) problems.push({ key: pointer, message: wrong });
      else if (paths[field] !== undefined)
        problems.push({ key: pointer, message: `"${field}" is named under ${paths[field]} too: a legacy field comes from one pointer` });
      else paths[field] = pointer;
    }
  }
  return { paths, problems };
}

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
