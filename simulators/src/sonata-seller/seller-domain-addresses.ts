/**
 * Addresses of the simulated seller: matching a submitted address (fielded, formatted, label or reference) against
 * its book, the validation answer in the release's shape (Grace at once; Kylie at once or kept for retrieval), and
 * one address by id.
 */
import { asRecord, recordsOrUndefined } from '../../../src/json/unknown-values.js';
import { foldText, toCountryCode, type SellerAddress } from './seller-catalogue.js';
import { base, nextId, SellerRefusal, str, type Json, type SellerState } from './seller-domain-state.js';

function renderAddress(seller: SellerState, a: SellerAddress): Json {
  return seller.profile.shapes === 'grace'
    ? {
        '@type': 'FieldedAddress',
        id: a.id,
        href: `${base(seller, 'geographicAddressManagement')}/geographicAddress/${a.id}`,
        allowsNewSite: a.allowsNewSite,
        hasPublicSite: a.hasPublicSite,
        ...(a.streetNr && { streetNr: a.streetNr }),
        streetName: a.streetName,
        city: a.city,
        ...(a.postcode && { postcode: a.postcode }),
        country: a.countryCode,
      }
    : {
        '@type': 'GeographicAddress',
        id: a.id,
        href: `${base(seller, 'geographicAddressManagement')}/geographicAddress/${a.id}`,
        allowsNewSite: String(a.allowsNewSite),
        hasPublicSite: String(a.hasPublicSite),
        fieldedAddressRepresentation: [
          {
            ...(a.streetNr && { streetNr: a.streetNr }),
            streetName: a.streetName,
            city: a.city,
            ...(a.postcode && { postcode: a.postcode }),
            countryCode: a.countryCode,
          },
        ],
      };
}
/** Fielded parts of a submitted address (Grace FieldedAddress/FormattedAddress, Kylie GeographicAddress_Query). */
function fieldsOf(submitted: Json): {
  streetNr?: string;
  streetName?: string;
  city?: string;
  country?: string;
  text?: string;
  id?: string;
} {
  const type = submitted['@type'];
  if (type === 'FieldedAddress')
    return {
      streetNr: str(submitted.streetNr),
      streetName: str(submitted.streetName),
      city: str(submitted.city),
      country: toCountryCode(submitted.country),
    };
  if (type === 'FormattedAddress')
    return {
      text: [submitted.addrLine1, submitted.addrLine2, submitted.city].filter(Boolean).join(' '),
      city: str(submitted.city),
      country: toCountryCode(submitted.country),
    };
  if (type === 'GeographicAddressLabel') return { id: str(submitted.externalReferenceId) };
  if (type === 'GeographicAddressRef') return { id: str(submitted.id) };
  const f = recordsOrUndefined(submitted.fieldedAddressRepresentation)?.[0];
  if (f)
    return {
      streetNr: str(f.streetNr),
      streetName: str(f.streetName),
      city: str(f.city),
      country: toCountryCode(f.countryCode),
    };
  const fm = recordsOrUndefined(submitted.formattedAddressRepresentation)?.[0];
  if (fm) return { text: str(fm.formattedAddress) };
  const l = recordsOrUndefined(submitted.labelRepresentation)?.[0];
  return { id: str(l?.label) };
}
export function matchAddress(
  seller: SellerState,
  submitted: Json,
): { result: 'success' | 'partial' | 'fail'; best?: SellerAddress; alternates: SellerAddress[] } {
  const f = fieldsOf(submitted);
  if (f.id) {
    const hit = seller.opts.addresses.find((a) => a.id === f.id);
    return hit ? { result: 'success', best: hit, alternates: [] } : { result: 'fail', alternates: [] };
  }
  const inCountry = seller.opts.addresses.filter((a) => !f.country || a.countryCode === f.country);
  if (f.text) {
    const text = foldText(f.text);
    const hits = inCountry.filter((a) => text.includes(foldText(a.streetName)) && text.includes(foldText(a.city)));
    const exact = hits.find((a) => a.streetNr && new RegExp(`\\b${a.streetNr.toLowerCase()}\\b`).test(text));
    return exact
      ? { result: 'success', best: exact, alternates: hits.filter((a) => a !== exact) }
      : { result: hits.length ? 'partial' : 'fail', alternates: hits };
  }
  const sameStreet = inCountry.filter((a) => foldText(a.streetName) === foldText(f.streetName) && foldText(a.city) === foldText(f.city));
  const exact = sameStreet.find((a) => (a.streetNr ?? '').toLowerCase() === (f.streetNr ?? '').toLowerCase());
  if (exact) return { result: 'success', best: exact, alternates: sameStreet.filter((a) => a !== exact) };
  if (sameStreet.length) return { result: 'partial', alternates: sameStreet };
  const sameCity = inCountry.filter((a) => foldText(a.city) === foldText(f.city));
  return { result: sameCity.length ? 'partial' : 'fail', alternates: sameCity };
}

export function validateAddress(seller: SellerState, body: Json): { status: number; body: Json } {
  const submitted = asRecord(body.submittedGeographicAddress);
  const m = matchAddress(seller, submitted);
  const alternates = seller.profile.shapes === 'kylie' || body.provideAlternative ? m.alternates : [];
  if (seller.profile.shapes === 'grace') {
    return {
      status: 200,
      body: {
        provideAlternative: body.provideAlternative,
        submittedGeographicAddress: submitted,
        validationResult: m.result,
        ...(m.best && { bestMatchGeographicAddress: renderAddress(seller, m.best) }),
        alternateGeographicAddress: alternates.map((a) => renderAddress(seller, a)),
      },
    };
  }
  const answer: Json = {
    instantSyncValidation: body.instantSyncValidation,
    submittedGeographicAddress: submitted,
    state: 'ready',
    ...(m.best && { bestMatchGeographicAddress: renderAddress(seller, m.best) }),
    alternateGeographicAddress: alternates.map((a) => renderAddress(seller, a)),
  };
  if (body.instantSyncValidation === true) return { status: 200, body: answer };
  const id = nextId(seller, 'validation', 'GAV');
  seller.validations.set(id, { id, ...answer });
  return { status: 201, body: { id, ...answer } };
}

export function retrieveValidation(seller: SellerState, id: string): Json {
  const v = seller.validations.get(id);
  if (!v) throw new SellerRefusal(404, [{ code: 'notFound', propertyPath: '', reason: `no validation ${id}` }]);
  return v;
}

export function retrieveAddress(seller: SellerState, id: string): Json {
  const a = seller.opts.addresses.find((x) => x.id === id);
  if (!a) throw new SellerRefusal(404, [{ code: 'notFound', propertyPath: '', reason: `no address ${id}` }]);
  return renderAddress(seller, a);
}
