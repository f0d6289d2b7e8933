import { describe, expect, it } from 'vitest';
import { createTokenService } from '../../src/auth/token-service.js';

const secret = 'a-test-secret-that-is-long-enough-0123456789';

describe('token service', () => {
  it('issues tokens that verify to the partner, client and scopes', async () => {
    const svc = createTokenService({ issuer: 'gw', secret, ttlSeconds: 300 });
    const t = await svc.issue({ partnerId: 'acme', clientId: 'acme-client', scopes: ['a', 'b'] });
    const p = await svc.verify(t.accessToken);
    expect(p).toMatchObject({ partnerId: 'acme', clientId: 'acme-client' });
    expect([...(p as { scopes: ReadonlySet<string> }).scopes]).toEqual(['a', 'b']);
  });

  it('a remembered token still expires on time', async () => {
    let clock = Date.parse('2026-11-25T10:00:00Z');
    const svc = createTokenService({ issuer: 'gw', secret, ttlSeconds: 60, now: () => clock });
    const t = await svc.issue({ partnerId: 'acme', clientId: 'c', scopes: [] });
    expect(typeof (await svc.verify(t.accessToken))).toBe('object');
    clock += 59_000;
    expect(typeof (await svc.verify(t.accessToken))).toBe('object');
    clock += 2_000;
    expect(await svc.verify(t.accessToken)).toBe('expired');
    expect(await svc.verify(t.accessToken)).toBe('expired');
  });

  it('refuses tokens signed with another key or tampered with', async () => {
    const svc = createTokenService({ issuer: 'gw', secret, ttlSeconds: 60 });
    const other = createTokenService({ issuer: 'gw', secret: `${secret}-other`, ttlSeconds: 60 });
    const t = await other.issue({ partnerId: 'acme', clientId: 'c', scopes: [] });
    expect(await svc.verify(t.accessToken)).toBe('invalid');
    const own = await svc.issue({ partnerId: 'acme', clientId: 'c', scopes: [] });
    const [h, , sig] = own.accessToken.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ sub: 'globex', scope: 'x', client_id: 'c', iss: 'gw', aud: 'sonata', exp: 9e9 })).toString('base64url')}.${sig}`;
    expect(await svc.verify(forged)).toBe('invalid');
  });
});
