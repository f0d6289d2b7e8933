/**
 * The seller's check of one quote, order or qualification item: the product (sold here, at a bandwidth it offers),
 * its place (a known address, in a served country), its term, and the list price when it can be provided.
 */
import { asRecord, recordOrUndefined, recordsOrUndefined } from '../../../src/json/unknown-values.js';
import { termFactor, type SellerAddress } from './seller-catalogue.js';
import { matchAddress } from './seller-domain-addresses.js';
import { round2, SellerRefusal, type Json, type QuoteItemRec, type SellerState } from './seller-domain-state.js';

export function termMonthsOf(seller: SellerState, term: Json | undefined): number {
  const d = recordOrUndefined(term?.duration);
  if (!d || typeof d.amount !== 'number') return 12;
  if (d.units === 'years') return d.amount * 12;
  return d.units === seller.profile.monthUnit ? d.amount : 12;
}
/** The place of a product: a known address, an address to look up, or nothing. */
function placeOf(seller: SellerState, product: Json, pointer: string): { address?: SellerAddress; refused?: string } {
  const place = recordsOrUndefined(product.place)?.[0];
  if (!place) return {};
  const target = seller.profile.shapes === 'grace' ? place : (recordOrUndefined(place.place) ?? {});
  const refPath = seller.profile.shapes === 'grace' ? `${pointer}/place/0/id` : `${pointer}/place/0/place/id`;
  if (target['@type'] === 'GeographicAddressRef') {
    const hit = seller.opts.addresses.find((a) => a.id === target.id);
    if (!hit)
      throw new SellerRefusal(422, [
        {
          code: 'referenceNotFound',
          propertyPath: refPath,
          reason: `no address ${String(target.id)} is known to this seller`,
        },
      ]);
    return { address: hit };
  }
  if (target['@type'] === 'GeographicSiteRef')
    throw new SellerRefusal(422, [
      {
        code: 'referenceNotFound',
        propertyPath: refPath,
        reason: 'sites are not known to this seller; reference an address',
      },
    ]);
  const match = matchAddress(seller, target);
  return match.best ? { address: match.best } : { refused: 'the address could not be found' };
}
/** Checks one item's product; the price when it can be provided, else the reason why not. */
export function assessItem(
  seller: SellerState,
  item: Json,
  pointer: string,
  termMonths: number,
): { price?: QuoteItemRec['price']; reason?: string } {
  const product = asRecord(item.product);
  if (item.action !== 'add' && typeof product.id !== 'string') {
    throw new SellerRefusal(422, [
      {
        code: 'missingProperty',
        propertyPath: `${pointer}/product/id`,
        reason: `a ${String(item.action)} needs the id of the installed product`,
      },
    ]);
  }
  const config = asRecord(product.productConfiguration);
  const type = config['@type'];
  const def = typeof type === 'string' ? seller.opts.products[type] : undefined;
  if (item.action !== 'delete') {
    if (!product.productConfiguration)
      throw new SellerRefusal(422, [
        {
          code: 'missingProperty',
          propertyPath: `${pointer}/product/productConfiguration`,
          reason: 'the product configuration is required',
        },
      ]);
    if (!def)
      throw new SellerRefusal(422, [
        {
          code: 'invalidValue',
          propertyPath: `${pointer}/product/productConfiguration/@type`,
          reason: `product ${String(type)} is not sold here`,
        },
      ]);
    const bw = config.bandwidthMbps;
    if (typeof bw !== 'number' || !def.bandwidths.includes(bw)) {
      throw new SellerRefusal(422, [
        {
          code: 'invalidValue',
          propertyPath: `${pointer}/product/productConfiguration/bandwidthMbps`,
          reason: `${def.name} is sold at ${def.bandwidths.join(', ')} Mbit/s`,
        },
      ]);
    }
  }
  const place = placeOf(seller, product, `${pointer}/product`);
  if (item.action === 'add' && !place.address && !place.refused) {
    throw new SellerRefusal(422, [
      {
        code: 'missingProperty',
        propertyPath: `${pointer}/product/place`,
        reason: 'a new product needs its installation place',
      },
    ]);
  }
  if (place.refused) return { reason: place.refused };
  if (place.address && !seller.opts.countries.includes(place.address.countryCode))
    return { reason: `${place.address.countryCode} is not served by this seller` };
  if (item.action === 'delete' || !def) return { price: { mrc: 0, nrc: 0, leadDays: 5, termMonths } };
  const bw = config.bandwidthMbps as number;
  return {
    price: {
      mrc: round2(def.mrc(bw) * termFactor(termMonths)),
      nrc: item.action === 'add' ? def.nrc : 150,
      leadDays: item.action === 'add' ? def.leadDays : 5,
      termMonths,
    },
  };
}
