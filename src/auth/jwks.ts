import { errors as joseErrors } from 'jose';

/**
 * A remote JWKS (jose `createRemoteJWKSet`) that did not answer, answered an error status or no JSON: the keys are
 * unavailable, which is not the same as a token that fails verification (answer "retry later", not "bad token").
 */
export function isKeySetUnavailable(err: unknown): boolean {
  if (err instanceof joseErrors.JWKSTimeout) return true;
  // fetch itself fails with a TypeError (refused, reset, DNS); jose reports a bad answer as a plain JOSEError
  if (err instanceof TypeError) return true;
  return err instanceof joseErrors.JOSEError && err.code === 'ERR_JOSE_GENERIC' && /JSON Web Key Set/.test(err.message);
}
