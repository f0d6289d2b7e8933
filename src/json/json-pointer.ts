/**
 * JSON Pointer (RFC 6901): the one place that escapes and unescapes reference tokens (`~` is `~0`, `/` is `~1`).
 * Used wherever the gateway names a place in a body or a file: Sonata error `propertyPath`s, spec issues, YAML
 * problems, fixtures' diffs, the legacy BSS's field paths.
 */

/** `a/b~c` -> `a~1b~0c` */
export function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** `a~1b~0c` -> `a/b~c` (`~1` first would turn `~01` into `/`: the order matters) */
export function unescapeToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** `/a~1b/0` -> `['a/b', '0']`; `''` (the whole document) -> `[]`; a leading `/` is optional. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return (pointer.startsWith('/') ? pointer.slice(1) : pointer).split('/').map(unescapeToken);
}

/** `['a/b', 0]` -> `/a~1b/0`; `[]` -> `''` */
export function formatPointer(tokens: ReadonlyArray<string | number>): string {
  return tokens.map((t) => `/${escapeToken(String(t))}`).join('');
}

/** `base` + one more token: `appendToken('/items', 'a/b')` -> `/items/a~1b` */
export function appendToken(base: string, token: string | number): string {
  return `${base}/${escapeToken(String(token))}`;
}
