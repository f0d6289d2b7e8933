/**
 * What differs between the Sonata releases the simulated seller speaks: API majors, notification APIs, the quote
 * decline path, time units and the shapes of places, addresses and events (NOTES.md sections 3, 7 and 9.2).
 */

export type SellerRelease = 'grace' | 'kylie';

/** A Buyer-side notification API the seller posts to. */
export interface NotificationTarget {
  readonly api: string;
  readonly version: string;
}

export interface SellerProfile {
  readonly release: SellerRelease;
  /** management API name -> major */
  readonly versions: Readonly<Record<'geographicAddressManagement' | 'quoteManagement' | 'productOrderingManagement' | 'productInventory' | 'troubleTicket' | 'productOfferingQualification', string>>;
  /** management API name -> the Buyer's notification API its events go to */
  readonly notifications: Readonly<Record<'quoteManagement' | 'productOrderingManagement', NotificationTarget>>;
  /** `/rejectQuote` (Grace) or `/declineQuote` (Kylie) */
  readonly declinePath: string;
  /** TimeUnit for months */
  readonly monthUnit: string;
  /** events carry the new state and no buyerId/sellerId (Irene onwards) */
  readonly typedEvents: boolean;
  /** POQ states: done (Kylie) or done.ready (Grace) */
  readonly poqDone: string;
  /** the management APIs that have `GET /hub/{id}` */
  readonly hubRetrieve: ReadonlySet<string>;
}

export const SELLER_PROFILES: Readonly<Record<SellerRelease, SellerProfile>> = Object.freeze({
  grace: Object.freeze({
    release: 'grace',
    versions: { geographicAddressManagement: 'v7', quoteManagement: 'v8', productOrderingManagement: 'v10', productInventory: 'v7', troubleTicket: 'v4', productOfferingQualification: 'v7' },
    notifications: {
      quoteManagement: { api: 'quoteNotification', version: 'v8' },
      productOrderingManagement: { api: 'productOrderingNotification', version: 'v10' },
    },
    declinePath: '/rejectQuote',
    monthUnit: 'calendarMonths',
    typedEvents: false,
    poqDone: 'done.ready',
    hubRetrieve: new Set(['productOrderingManagement']),
  }),
  kylie: Object.freeze({
    release: 'kylie',
    versions: { geographicAddressManagement: 'v8', quoteManagement: 'v10', productOrderingManagement: 'v11', productInventory: 'v8', troubleTicket: 'v5', productOfferingQualification: 'v8' },
    notifications: {
      quoteManagement: { api: 'quoteNotification', version: 'v10' },
      productOrderingManagement: { api: 'productOrderingNotification', version: 'v11' },
    },
    declinePath: '/declineQuote',
    monthUnit: 'months',
    typedEvents: true,
    poqDone: 'done',
    hubRetrieve: new Set(['productOrderingManagement', 'quoteManagement', 'geographicAddressManagement']),
  }),
});
