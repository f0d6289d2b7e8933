/**
 * Narrowing for values whose type is not known (parsed JSON, request bodies, caught errors): type guards instead of
 * casts, so the checks the code relies on are the ones it makes.
 */

/** A JSON object (or any non-array object): its members can be read as unknown. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object's members, or an empty object for anything else. */
export function asRecord(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
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

/** What `String(err.message)` said when `err` was known to be an Error: the message of anything thrown. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(memberOf(err, 'message'));
}
