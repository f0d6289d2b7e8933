/**
 * What differs between the Sonata releases the simulated seller speaks: API majors, notification APIs, the quote
 * decline path, time units and the shapes of places, addresses and events (NOTES.md sections 3, 7, 9.1 and 9.2).
 */

export type SellerRelease = 'billie' | 'grace' | 'kylie';

/** A Buyer-side notification API the seller posts to. */
export interface NotificationTarget {
  readonly api: string;
  readonly version: string;
}

export interface SellerProfile {
  readonly release: SellerRelease;
  /**
   * the body shapes: `grace` = MEF 79 addresses, flat `place[]`, Grace POQ/quote/order answers (Billie too: its
   * bodies are Grace's but for the order version and trouble tickets); `kylie` = MEF 150 (Irene onwards)
   */
  readonly shapes: 'grace' | 'kylie';
  /** orders carry a seller-set `orderVersion` that a cancellation must name (Billie; gone from Celine on) */
  readonly orderVersion: boolean;
  /** management API name -> major */
  readonly versions: Readonly<
    Record<
      | 'geographicAddressManagement'
      | 'quoteManagement'
      | 'productOrderingManagement'
      | 'productInventory'
      | 'troubleTicket'
      | 'productOfferingQualification',
      string
    >
  >;
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

const GRACE: SellerProfile = Object.freeze({
  release: 'grace',
  shapes: 'grace',
  orderVersion: false,
  versions: {
    geographicAddressManagement: 'v7',
    quoteManagement: 'v8',
    productOrderingManagement: 'v10',
    productInventory: 'v7',
    troubleTicket: 'v4',
    productOfferingQualification: 'v7',
  },
  notifications: {
    quoteManagement: { api: 'quoteNotification', version: 'v8' },
    productOrderingManagement: { api: 'productOrderingNotification', version: 'v10' },
  },
  declinePath: '/rejectQuote',
  monthUnit: 'calendarMonths',
  typedEvents: false,
  poqDone: 'done.ready',
  hubRetrieve: new Set(['productOrderingManagement']),
});

export const SELLER_PROFILES: Readonly<Record<SellerRelease, SellerProfile>> = Object.freeze({
  // Billie answers in Grace's shapes; it differs in its versions, its order notification API and orderVersion
  billie: Object.freeze({
    ...GRACE,
    release: 'billie',
    orderVersion: true,
    versions: {
      geographicAddressManagement: 'v7',
      quoteManagement: 'v7',
      productOrderingManagement: 'v7',
      productInventory: 'v7',
      troubleTicket: 'v1',
      productOfferingQualification: 'v7',
    },
    notifications: {
      quoteManagement: { api: 'quoteNotification', version: 'v7' },
      // Billie's order notification API has its own name (Celine onwards: productOrderingNotification)
      productOrderingManagement: { api: 'productOrderNotification', version: 'v7' },
    },
  }),
  grace: GRACE,
  kylie: Object.freeze({
    release: 'kylie',
    shapes: 'kylie',
    orderVersion: false,
    versions: {
      geographicAddressManagement: 'v8',
      quoteManagement: 'v10',
      productOrderingManagement: 'v11',
      productInventory: 'v8',
      troubleTicket: 'v5',
      productOfferingQualification: 'v8',
    },
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

/** Whether the simulator can play a seller on this release (it has a profile for it). */
export function hasSellerProfile(release: string): release is SellerRelease {
  return Object.hasOwn(SELLER_PROFILES, release);
}
