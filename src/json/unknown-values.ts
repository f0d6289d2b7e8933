// Typed readers for values whose shape the compiler cannot know (parsed JSON, caught errors, request bodies):
// each checks at run time what a cast would only assert.

/** A plain object (not null, not an array), whose properties are still unknown. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object itself when `value` is one, else undefined. */
export function recordOrUndefined(value: unknown): Record<string, unknown> | undefined {
  return isRecord(value) ? value : undefined;
}

/** The property when it is a string, else undefined. */
export function stringProp(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const prop: unknown = Reflect.get(value, key);
  return typeof prop === 'string' ? prop : undefined;
}

/** The message of a thrown value: an Error's (or error-like object's) message, else the value in text. */
export function errorMessage(err: unknown): string {
  return stringProp(err, 'message') ?? String(err);
}

/** The `code` of a thrown value (Node system errors: ECONNREFUSED...), when it has a string one. */
export function errorCode(err: unknown): string | undefined {
  return stringProp(err, 'code');
}

/** JSON.parse typed for what it really returns. */
export function parseJson(text: string): unknown {
  return JSON.parse(text);
}
