import type { JsonataFocus } from '../evaluation-context.js';

/** A function registered on every compiled mapping as `$name`. */
export interface MappingFunction {
  name: string;
  implementation: (this: JsonataFocus, ...args: never[]) => unknown;
  /** JSONata signature, e.g. `<s?:s>`; validated by JSONata before the call. */
  signature?: string;
}
