// Typed readers for values whose shape the compiler cannot know (parsed JSON, request bodies, caught errors): each
// checks at run time what a cast would only assert, so the checks the code relies on are the ones it makes.
// The one module of these guards; every layer may use it (docs/architecture.md, "Layers").

/** A plain object (not null, not an array), whose properties are still unknown. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object itself when `value` is one, else undefined. */
export function recordOrUndefined(value: unknown): Record<string, unknown> | undefined {
  return isRecord(value) ? value : undefined;
}

/** The object's members, or an empty object for anything else. */
export function asRecord(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

/** An array's items as objects (an item that is none counts as an empty object, so indexes keep), else undefined. */
export function recordsOrUndefined(value: unknown): Record<string, unknown>[] | undefined {
  return Array.isArray(value) ? value.map(asRecord) : undefined;
}

/** An array whose items are all strings. */
export function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** One member of an object (or of an error, a class instance), undefined for anything that has none. */
export function memberOf(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  const member: unknown = Reflect.get(value, name);
  return member;
}

/** A member that is a string, else undefined. */
export function stringMember(value: unknown, name: string): string | undefined {
  const v = memberOf(value, name);
  return typeof v === 'string' ? v : undefined;
}

/** The message of a thrown value: an Error's (or error-like object's) message, else the value in text. */
export function errorMessage(err: unknown): string {
  return stringMember(err, 'message') ?? String(err);
}

/** The `code` of a thrown value (Node system errors: ECONNREFUSED...), when it has a string one. */
export function errorCode(err: unknown): string | undefined {
  return stringMember(err, 'code');
}

/** JSON.parse typed for what it really returns. */
export function parseJson(text: string): unknown {
  return JSON.parse(text);
}
