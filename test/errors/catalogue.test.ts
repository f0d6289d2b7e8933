import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, GatewayError, type GatewayErrorCode } from '../../src/errors/catalogue.js';
import { renderSonataError } from '../../src/errors/render-error.js';
import { classifyUpstreamFailure } from '../../src/legacy/upstream-failure.js';
import { REPO_ROOT } from '../support/test-gateway.js';

const SONATA_CODES_BY_STATUS: Record<number, string[]> = {
  400: ['missingQueryParameter', 'missingQueryValue', 'invalidQuery', 'invalidBody'],
  401: ['missingCredentials', 'invalidCredentials'],
  403: ['accessDenied', 'forbiddenRequester', 'tooManyUsers'],
  404: ['notFound'],
  409: ['conflict'],
  // no Sonata release declares a 429: the base Error schema's `code` is free text
  429: ['tooManyRequests'],
  422: ['missingProperty', 'invalidValue', 'invalidFormat', 'referenceNotFound', 'unexpectedProperty', 'tooManyRecords', 'otherIssue'],
  501: ['notImplemented'],
};

describe('error catalogue', () => {
  const doc = readFileSync(join(REPO_ROOT, 'docs/errors.md'), 'utf8');
  for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
    it(`${code} is documented with its status and renders a Sonata body`, () => {
      expect(doc).toMatch(new RegExp(`\\| \`${code.replace('.', '\\.')}\` \\| ${entry.status} \\|`));
      const rendered = renderSonataError(new GatewayError(code as GatewayErrorCode, 'detail'));
      expect(rendered.status).toBe(entry.status);
      if (entry.status === 422) {
        expect(Array.isArray(rendered.body)).toBe(true);
      } else {
        const body = rendered.body as { code: string; reason: string };
        const allowed = SONATA_CODES_BY_STATUS[entry.status] ?? ['internalError'];
        expect(allowed).toContain(body.code);
        expect(body.reason.length).toBeLessThanOrEqual(255);
      }
    });
  }

  it('an unknown thrown value becomes 500 internalError without leaking its message', () => {
    const r = renderSonataError(new Error('secret stack detail'));
    expect(r.status).toBe(500);
    expect(JSON.stringify(r.body)).not.toContain('secret stack detail');
  });

  it('reasons longer than 255 characters are cut to fit the Sonata schema', () => {
    const r = renderSonataError(new GatewayError('route.not-found', 'm', { reason: 'r'.repeat(400) }));
    expect((r.body as { reason: string }).reason.length).toBe(255);
  });
});

describe('upstream failures map to statuses in one pure function', () => {
  const sys = { system: 'the legacy BSS', fieldPaths: { COUNTRY: '/submittedGeographicAddress/country' } };
  it.each([
    [{ kind: 'connect', detail: 'ECONNREFUSED' }, 503, 'upstream.unavailable'],
    [{ kind: 'timeout', detail: 'headers' }, 504, 'upstream.timeout'],
    [{ kind: 'bad-body', detail: 'not JSON' }, 502, 'upstream.bad-response'],
    [{ kind: 'http', status: 500, detail: '' }, 503, 'upstream.system-error'],
    [{ kind: 'http', status: 401, detail: '' }, 500, 'internal.unexpected'],
    [{ kind: 'result-code', rc: 4, message: 'unknown key' }, 404, 'upstream.not-found'],
    [{ kind: 'result-code', rc: 12, message: 'db down' }, 503, 'upstream.system-error'],
    [{ kind: 'result-code', rc: 99, message: '?' }, 502, 'upstream.bad-response'],
  ] as const)('%o -> %i', (failure, status, code) => {
    const e = classifyUpstreamFailure(failure as never, sys);
    expect(e.status).toBe(status);
    expect(e.code).toBe(code);
  });

  it('RC 8 becomes a 422 naming the partner property behind the legacy field', () => {
    const e = classifyUpstreamFailure({ kind: 'result-code', rc: 8, message: 'full name expected', field: 'COUNTRY' }, sys);
    expect(e.status).toBe(422);
    expect(e.issues).toEqual([{ code: 'invalidValue', propertyPath: '/submittedGeographicAddress/country', reason: 'full name expected' }]);
    expect(renderSonataError(e).headers).toEqual({});
  });

  it('RC 8 on a field the partner never supplied is our mapping fault: 500, not 422', () => {
    const e = classifyUpstreamFailure({ kind: 'result-code', rc: 8, message: 'too long', field: 'REQ_REF' }, sys);
    expect(e.status).toBe(500);
    expect(e.code).toBe('mapping.failed');
  });

  it('retryable failures carry Retry-After', () => {
    expect(classifyUpstreamFailure({ kind: 'connect', detail: 'x' }, sys).headers['Retry-After']).toBe('5');
  });
});
