import type { PartnerDef } from '../registry/registry.js';

/** What a purchase needs: countries (ISO alpha-2) and product specification ids (`@type`); empty = no constraint. */
export interface SellerRoute {
  countries?: readonly string[];
  products?: readonly string[];
}

export type SellerChoice = { ok: true; seller: PartnerDef } | { ok: false; reason: 'none' | 'several'; candidates: string[] };

/**
 * Picks the one seller partner that serves every country and every product of the route (a seller whose
 * `serves.countries` / `serves.products` is empty serves anything of that kind). No match, or more than one, is
 * answered as such: the legacy BSS then names the seller itself (`SELLER`), so nothing is bought by guesswork.
 */
export function selectSeller(partners: Iterable<PartnerDef>, route: SellerRoute): SellerChoice {
  const countries = route.countries ?? [];
  const products = route.products ?? [];
  const matching = [...partners].filter((p) => {
    if (!p.seller || p.role === 'buyer') return false;
    const serves = p.seller.serves;
    const servesAll = (wanted: readonly string[], offered: readonly string[] | undefined) =>
      !offered?.length || wanted.every((w) => offered.includes(w));
    return servesAll(countries, serves.countries) && servesAll(products, serves.products);
  });
  if (matching.length === 1) return { ok: true, seller: matching[0]! };
  return {
    ok: false,
    reason: matching.length === 0 ? 'none' : 'several',
    candidates: matching.map((p) => p.id).sort(),
  };
}
