import { describe, expect, it } from 'vitest';
import { selectSeller } from '../../src/buyer/select-seller.js';
import type { PartnerDef } from '../../src/registry/registry.js';

const partner = (id: string, role: PartnerDef['role'], serves?: { countries?: string[]; products?: string[] }): PartnerDef =>
  ({
    id,
    role,
    seller: serves
      ? {
          baseUrl: 'http://x',
          tokenUrl: 'http://x/t',
          clientId: 'c',
          clientSecret: 's',
          timeoutMs: 1000,
          serves,
          mappings: new Map(),
        }
      : undefined,
  }) as unknown as PartnerDef;

const ELINE = 'urn:eline';
const DIA = 'urn:dia';
const partners = [
  partner('acme', 'buyer'),
  partner('north', 'seller', { countries: ['DE'], products: [ELINE] }),
  partner('south', 'seller', { countries: ['GB'] }),
  partner('east', 'both', { countries: ['PL', 'DE'], products: [DIA] }),
];

describe('selectSeller', () => {
  it('picks the one seller serving every country and product of the request', () => {
    expect(selectSeller(partners, { countries: ['DE'], products: [ELINE] })).toMatchObject({
      ok: true,
      seller: { id: 'north' },
    });
    expect(selectSeller(partners, { countries: ['GB'], products: [ELINE, DIA] })).toMatchObject({
      ok: true,
      seller: { id: 'south' },
    });
    expect(selectSeller(partners, { countries: ['PL'] })).toMatchObject({ ok: true, seller: { id: 'east' } });
  });

  it('says none when nobody serves all of it (a mix of countries included), naming no candidates', () => {
    expect(selectSeller(partners, { countries: ['CH'] })).toEqual({ ok: false, reason: 'none', candidates: [] });
    expect(selectSeller(partners, { countries: ['DE', 'GB'] })).toEqual({ ok: false, reason: 'none', candidates: [] });
    expect(selectSeller(partners, { countries: ['DE'], products: ['urn:other'] })).toEqual({
      ok: false,
      reason: 'none',
      candidates: [],
    });
  });

  it('says several, with the candidates, rather than guessing', () => {
    expect(selectSeller(partners, { countries: ['DE'] })).toEqual({
      ok: false,
      reason: 'several',
      candidates: ['east', 'north'],
    });
    expect(selectSeller(partners, {})).toEqual({
      ok: false,
      reason: 'several',
      candidates: ['east', 'north', 'south'],
    });
  });

  it('never picks a buyer-only partner or one without a seller section', () => {
    expect(selectSeller([partner('acme', 'buyer', { countries: ['DE'] }), partner('lone', 'seller')], { countries: ['DE'] })).toEqual({
      ok: false,
      reason: 'none',
      candidates: [],
    });
  });
});
