/** The signed-in user, for pages that hide editor actions from viewers (the server refuses them anyway). */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ConsoleUser } from './api.js';

/** Set by the app shell once signed in. */
export const UserContext = createContext<ConsoleUser>({ name: '', role: 'viewer' });

/** True when the signed-in user may save fixtures, replay or discard dead letters and run conformance. */
export function useIsEditor(): boolean {
  return useContext(UserContext).role === 'editor';
}
