import { Strategy } from 'passport-strategy';
import type { Request } from 'express';
import type { BearerFailure } from './bearer-strategy.js';
import { secretsEqual } from './token-service.js';

/** What an internal API key may reach under `/internal` (see {@link internalScopeFor}). */
export const INTERNAL_SCOPES = ['legacy-events', 'tasks', 'dead-letters', 'buyer', 'activity'] as const;
export type InternalScope = (typeof INTERNAL_SCOPES)[number];

const SCOPE_NAMES: ReadonlySet<string> = new Set(INTERNAL_SCOPES);

/** Whether a configured scope name is one of {@link INTERNAL_SCOPES} (the config schema allows no other). */
export function isInternalScope(name: string): name is InternalScope {
  return SCOPE_NAMES.has(name);
}

/** One internal client (a BSS component or an operator tool): its scopes and up to two active secrets. */
export interface InternalKey {
  readonly id: string;
  readonly scopes: readonly InternalScope[];
  /** every secret that is accepted for this client; two while a secret is being rotated */
  readonly secrets: readonly string[];
}

/** Who called an `/internal` route: the key's id and what it may reach. */
export interface InternalPrincipal {
  readonly keyId: string;
  readonly scopes: ReadonlySet<InternalScope>;
}

/**
 * The scope an `/internal` path needs (the path below the `/internal` mount point); undefined for paths no route
 * serves (they answer 404 for any valid key).
 */
export function internalScopeFor(path: string): InternalScope | undefined {
  if (path.startsWith('/legacy/')) return 'legacy-events';
  if (path === '/tasks' || path.startsWith('/tasks/')) return 'tasks';
  if (path.startsWith('/notifications/')) return 'dead-letters';
  if (path === '/buyer' || path.startsWith('/buyer/')) return 'buyer';
  if (path === '/activity' || path.startsWith('/activity/')) return 'activity';
  return undefined;
}

/**
 * The internal keys of the config: `internal.keys` (per client and scope, empty secrets dropped: an unset
 * `${INTERNAL_API_KEY_NEXT:-}` means "no second secret") and the single `internal.apiKey`, which keeps every scope.
 */
export function internalKeysFromConfig(internal: {
  apiKey?: string;
  keys?: readonly { id: string; scopes: readonly string[]; secrets: readonly string[] }[];
}): InternalKey[] {
  const keys: InternalKey[] = (internal.keys ?? []).map((k) => ({
    id: k.id,
    scopes: k.scopes.filter(isInternalScope),
    secrets: k.secrets.filter((s) => s.length > 0),
  }));
  if (internal.apiKey) keys.push({ id: 'internal.apiKey', scopes: [...INTERNAL_SCOPES], secrets: [internal.apiKey] });
  return keys.filter((k) => k.secrets.length > 0);
}

/**
 * Passport strategy for `/internal`: `X-Internal-Api-Key` compared (in constant time, against every configured
 * secret, so timing reveals neither which key matched nor how many there are) with the internal keys.
 */
export class InternalKeyStrategy extends Strategy {
  name = 'internal-key';

  constructor(private readonly keys: readonly InternalKey[]) {
    super();
  }

  override authenticate(req: Request): void {
    const given = req.headers['x-internal-api-key'];
    if (typeof given !== 'string' || given === '') {
      this.fail({ code: 'auth.missing-credentials', message: 'Send X-Internal-Api-Key' } satisfies BearerFailure, 401);
      return;
    }
    let match: InternalKey | undefined;
    for (const key of this.keys) for (const secret of key.secrets) if (secretsEqual(given, secret) && !match) match = key;
    if (!match) {
      this.fail({ code: 'auth.invalid-credentials', message: 'Wrong internal API key' } satisfies BearerFailure, 401);
      return;
    }
    this.success({ keyId: match.id, scopes: new Set(match.scopes) } satisfies InternalPrincipal);
  }
}
