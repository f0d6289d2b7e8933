import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BUYER_ERROR_CATALOGUE,
  buyerError,
  renderBuyerError,
  type BuyerCatalogueEntry,
  type BuyerErrorKey,
} from '../../src/buyer/buyer-errors.js';
import { ERROR_CATALOGUE } from '../../src/errors/catalogue.js';
import { REPO_ROOT } from '../support/test-gateway.js';

const entries = Object.entries(BUYER_ERROR_CATALOGUE) as Array<[BuyerErrorKey, BuyerCatalogueEntry]>;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('buyer error catalogue', () => {
  const doc = readFileSync(join(REPO_ROOT, 'docs/errors.md'), 'utf8');
  for (const [key, entry] of entries) {
    it(`${key} is documented with its ERR_CODE, RC and OUTCOME and renders in the BSS envelope`, () => {
      const errCode = entry.errCode ?? key;
      expect(doc).toMatch(
        new RegExp(`\\| \`${escape(key)}\` \\| \`${escape(errCode)}\` \\| ${entry.rc} \\| ${entry.outcome ?? 'null'} \\|`),
      );
      const names = [...entry.message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const vars = Object.fromEntries(names.map((n) => [n, `<${n}>`]));
      const rendered = renderBuyerError(buyerError(key, vars as never, { seller: 'north', field: 'LINES[0].BW_MBPS' }));
      expect(Object.keys(rendered)).toEqual(['RC', 'MSG', 'ERR_FIELD', 'SELLER', 'ERR_CODE', 'OUTCOME']);
      expect(rendered).toMatchObject({
        RC: entry.rc,
        ERR_CODE: errCode,
        OUTCOME: entry.outcome,
        SELLER: 'north',
        ERR_FIELD: 'LINES[0].BW_MBPS',
      });
      for (const n of names) expect(rendered.MSG).toContain(`<${n}>`);
      expect(rendered.MSG).not.toMatch(/\{\w+\}/);
    });
  }

  it('a variant names a wire code the catalogue also has as its own entry', () => {
    for (const [, entry] of entries) if (entry.errCode) expect(Object.keys(BUYER_ERROR_CATALOGUE)).toContain(entry.errCode);
  });

  it('every Idempotency-Key refusal of the gateway has its buyer answer', () => {
    for (const code of Object.keys(ERROR_CATALOGUE).filter((c) => c.startsWith('idempotency.')))
      expect(Object.keys(BUYER_ERROR_CATALOGUE)).toContain(code);
  });

  it('fills a template once: values are not read as templates', () => {
    const e = buyerError('request.unknown-field', { field: '{reason}' }, { field: '{reason}' });
    expect(e).toMatchObject({
      rc: 8,
      code: 'request.unknown-field',
      outcome: 'NOT_DONE',
      message: 'unknown field {reason}',
    });
  });
});
