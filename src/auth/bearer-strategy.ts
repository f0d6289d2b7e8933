import { Strategy } from 'passport-strategy';
import type { Request } from 'express';
import type { Principal, TokenService, VerifyFailure } from './token-service.js';

/**
 * Verifies access tokens some other issuer signed (src/auth/external-tokens.ts). `undefined`: not a token of an
 * issuer it knows (then the token is invalid for us too).
 */
export interface TokenVerifier {
  verify(token: string): Promise<Principal | VerifyFailure | undefined>;
}

/** Why authentication failed; becomes the Sonata 401 `code`. */
export interface BearerFailure {
  code: 'auth.missing-credentials' | 'auth.invalid-credentials';
  message: string;
}

/**
 * Passport strategy for the Sonata routes: `Authorization: Bearer <jwt>` issued by our token endpoint, or by an
 * external identity provider (`external`) when ours does not verify it.
 * `isKnownPartner` lets a partner removed by a reload lose access at once, even with a live token.
 */
export class SonataBearerStrategy extends Strategy {
  name = 'sonata-bearer';

  constructor(
    private readonly tokens: TokenService,
    private readonly isKnownPartner: (p: Principal) => boolean,
    private readonly external?: TokenVerifier,
  ) {
    super();
  }

  override authenticate(req: Request): void {
    const header = req.headers.authorization;
    if (!header) {
      this.fail(
        {
          code: 'auth.missing-credentials',
          message: 'Send an Authorization: Bearer <token> header (get one from POST /oauth2/token)',
        } satisfies BearerFailure,
        401,
      );
      return;
    }
    const m = /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header);
    if (!m) {
      this.fail(
        {
          code: 'auth.invalid-credentials',
          message: 'The Authorization header must use the Bearer scheme',
        } satisfies BearerFailure,
        401,
      );
      return;
    }
    const token = m[1]!;
    this.tokens
      .verify(token)
      .then(async (own) => (own === 'invalid' && this.external ? ((await this.external.verify(token)) ?? own) : own))
      .then(
        (result) => {
          if (result === 'expired')
            this.fail(
              {
                code: 'auth.invalid-credentials',
                message: 'The access token has expired; request a new one',
              } satisfies BearerFailure,
              401,
            );
          else if (result === 'invalid')
            this.fail({ code: 'auth.invalid-credentials', message: 'The access token is not valid' } satisfies BearerFailure, 401);
          else if (!this.isKnownPartner(result))
            this.fail(
              {
                code: 'auth.invalid-credentials',
                message: 'The partner of this token is no longer configured',
              } satisfies BearerFailure,
              401,
            );
          else this.success(result);
        },
        (err: unknown) => this.error(err instanceof Error ? err : new Error(String(err))),
      );
  }
}
