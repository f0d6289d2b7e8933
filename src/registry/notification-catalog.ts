/**
 * The per-release notification catalogue (`mappings/releases/<release>/notifications.yaml`): for each management API
 * that has a hub, where its Buyer-side notification API lives and what each event carries on the wire. The renderer
 * reads nothing else, so a release whose events differ only in names or fields is a data change, not a code change.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import type { FromSchema } from 'json-schema-to-ts';
import { ConfigError, createConfigAjv, readYamlFile, validatedSource, type ConfigProblem } from '../config/yaml-source.js';
import { escapeToken, formatPointer } from '../json/json-pointer.js';
import { RELEASE_LOCK_SCHEMA, resolveVersion, type ReleaseLock, type ReleaseLockFile } from './release-lock.js';

/** One listener event of a release. */
export interface NotificationEventDef {
  /** The release's name for the event: the `eventType` value and the listener resource (`.../listener/<eventType>`). */
  readonly eventType: string;
  /**
   * The gateway's own name for the event (what publishers put in `SonataEvent.eventType`). The gateway names events
   * as Grace does; it differs from {@link eventType} only where a release renamed an event.
   */
  readonly internalType: string;
  /** Payload field carrying the item id (`orderItemId`, `quoteItemId`, `poqItemId`); the event then needs one. */
  readonly itemIdField?: string;
  /** Payload field carrying the new state (`state`, or `status` for trouble tickets and incidents): typed releases only. */
  readonly stateField?: string;
  /** The payload carries `milestoneName`; the event then needs one. */
  readonly milestone: boolean;
  /**
   * The collection path of the resource in this release where it differs from the gateway's (Billie's
   * `/modifyProductOrderItemCompletionDate` for the requested-delivery-date requests): the event's `href` uses it.
   */
  readonly resourcePath?: string;
  /**
   * The event carries the whole resource as the partner would retrieve it (CIM's `CimIncident`), not `{id, href}`:
   * the publisher renders it for the partner (`SonataEvent.resource`) and the renderer puts it in as it is.
   */
  readonly resourceBody: boolean;
  /**
   * The listener resource (`.../listener/<listener>`) where the release's file names it otherwise than the event type
   * its body carries (Grace's catalogue: `/listener/productOfferingStatusChangeEvent` for a
   * `productOfferingStateChangeEvent`); absent: the event type.
   */
  readonly listener?: string;
  /** gateway state -> this release's spelling in {@link stateField} where they differ (Kylie's `launched` for `orderable`) */
  readonly stateValues?: Readonly<Record<string, string>>;
}

/** The notifications of one management API in one release. */
export interface NotificationApiDef {
  /** Management API name, as in the Seller's base path (`productOrderingManagement`). */
  readonly apiName: string;
  /** Management API major (`v10`): the `href` of an event points into this API. */
  readonly version: string;
  /** Buyer-side notification API name appended to the callback (`productOrderingNotification`). */
  readonly notificationApi: string;
  /** Notification API major (`v10`). */
  readonly notificationVersion: string;
  /** Events by {@link NotificationEventDef.eventType}. */
  readonly events: ReadonlyMap<string, NotificationEventDef>;
}

/** A loaded, validated and frozen notification catalogue of one release. */
export interface NotificationCatalog {
  readonly release: string;
  /** The file it was loaded from, as named in messages. */
  readonly file: string;
  /**
   * Where `buyerId`/`sellerId` travel: inside the event payload (up to Haley) or as query parameters of the listener
   * URL (from Irene).
   */
  readonly partyIds: 'body' | 'query';
  /** By management API name. */
  readonly apis: ReadonlyMap<string, NotificationApiDef>;
  /** Event types a Buyer of this release may subscribe to on the API (the hub's known types); `[]` when it has none. */
  eventTypes(apiName: string): string[];
  /** The release's event for a gateway event type, or undefined when the release has no such event on the API. */
  findEvent(apiName: string, internalType: string): NotificationEventDef | undefined;
}

const NAME = '^[A-Za-z][A-Za-z0-9]*$';
const MAJOR = '^v[0-9]+$';

/** JSON schema of `notifications.yaml`. */
export const NOTIFICATION_CATALOG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['release', 'partyIds', 'apis'],
  properties: {
    release: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' },
    partyIds: { enum: ['body', 'query'] },
    apis: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: NAME },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['notificationApi', 'events'],
        properties: {
          /** the management API's major: from the release's lock; stated only without one (or agreeing with it) */
          version: { type: 'string', pattern: MAJOR },
          notificationApi: { type: 'string', pattern: NAME },
          /** the notification API's major: from the release's lock, like `version` */
          notificationVersion: { type: 'string', pattern: MAJOR },
          events: {
            type: 'object',
            minProperties: 1,
            propertyNames: { pattern: NAME },
            additionalProperties: {
              type: 'object',
              additionalProperties: false,
              properties: {
                internalType: { type: 'string', pattern: NAME },
                itemIdField: { type: 'string', pattern: NAME },
                stateField: { type: 'string', pattern: NAME },
                milestone: { type: 'boolean', default: false },
                resourcePath: { type: 'string', pattern: '^/[A-Za-z0-9]+$' },
                resourceBody: { type: 'boolean', default: false },
                listener: { type: 'string', pattern: NAME },
                stateValues: { type: 'object', additionalProperties: { type: 'string', minLength: 1 } },
              },
            },
          },
        },
      },
    },
  },
} as const;

/** notifications.yaml as validated (defaults filled in) */
type CatalogFile = FromSchema<typeof NOTIFICATION_CATALOG_SCHEMA>;

const API_ENTRY = NOTIFICATION_CATALOG_SCHEMA.properties.apis.additionalProperties;
/** The schema for a release without a lock file: nothing else gives the versions, so each API states both. */
const UNLOCKED_CATALOG_SCHEMA = {
  ...NOTIFICATION_CATALOG_SCHEMA,
  properties: {
    ...NOTIFICATION_CATALOG_SCHEMA.properties,
    apis: {
      ...NOTIFICATION_CATALOG_SCHEMA.properties.apis,
      additionalProperties: { ...API_ENTRY, required: ['version', 'notificationApi', 'notificationVersion', 'events'] },
    },
  },
} as const;

let compiledSchema: ValidateFunction<CatalogFile> | undefined;
let compiledUnlockedSchema: ValidateFunction<CatalogFile> | undefined;
let compiledLockSchema: ValidateFunction<ReleaseLockFile> | undefined;

/** The release.lock.yaml beside `file`, validated; undefined when there is none. */
function siblingLock(file: string, displayName: string | undefined): ReleaseLock | undefined {
  const lockFile = join(dirname(file), 'release.lock.yaml');
  if (!existsSync(lockFile)) return undefined;
  compiledLockSchema ??= createConfigAjv().compile<ReleaseLockFile>(RELEASE_LOCK_SCHEMA);
  const shown = displayName !== undefined ? join(dirname(displayName), 'release.lock.yaml') : undefined;
  const checked = validatedSource(readYamlFile(lockFile, shown !== undefined ? { displayName: shown } : {}), compiledLockSchema);
  if ('problems' in checked) throw new ConfigError(checked.problems);
  return checked.source.data;
}

/**
 * Reads and validates one `notifications.yaml`, throwing a {@link ConfigError} that lists every problem as
 * `file:line:col`. Besides the schema it checks that `release` names the folder the file sits in (when the file is
 * called `notifications.yaml`) and that no two events of an API share a gateway event type. The versions of each
 * management API and its notification API come from the release's lock (`opts.lock`; by default the
 * release.lock.yaml beside the file): a version the file states too must agree with it, and without a lock the
 * file must state both.
 */
export function loadNotificationCatalog(
  file: string,
  opts: { displayName?: string; lock?: ReleaseLock | undefined } = {},
): NotificationCatalog {
  const lock = 'lock' in opts ? opts.lock : siblingLock(file, opts.displayName);
  compiledSchema ??= createConfigAjv().compile<CatalogFile>(NOTIFICATION_CATALOG_SCHEMA);
  compiledUnlockedSchema ??= createConfigAjv().compile<CatalogFile>(UNLOCKED_CATALOG_SCHEMA);
  const checked = validatedSource(
    readYamlFile(file, opts.displayName !== undefined ? { displayName: opts.displayName } : {}),
    lock ? compiledSchema : compiledUnlockedSchema,
  );
  if ('problems' in checked) throw new ConfigError(checked.problems);
  const { source } = checked;
  const problems: ConfigProblem[] = [];

  const raw = source.data;
  const folder = basename(dirname(file));
  if (basename(file) === 'notifications.yaml' && raw.release !== folder) {
    problems.push(source.problem('/release', `must equal the folder name "${folder}"`));
  }

  const apis = new Map<string, NotificationApiDef>();
  const byInternal = new Map<string, Map<string, NotificationEventDef>>();
  for (const [apiName, api] of Object.entries(raw.apis)) {
    const events = new Map<string, NotificationEventDef>();
    const internal = new Map<string, NotificationEventDef>();
    for (const [eventType, ev] of Object.entries(api.events)) {
      const def: NotificationEventDef = Object.freeze({
        eventType,
        internalType: ev.internalType ?? eventType,
        ...(ev.itemIdField !== undefined && { itemIdField: ev.itemIdField }),
        ...(ev.stateField !== undefined && { stateField: ev.stateField }),
        milestone: ev.milestone,
        ...(ev.resourcePath !== undefined && { resourcePath: ev.resourcePath }),
        resourceBody: ev.resourceBody,
        ...(ev.listener !== undefined && { listener: ev.listener }),
        ...(ev.stateValues !== undefined && { stateValues: Object.freeze({ ...ev.stateValues }) }),
      });
      const clash = internal.get(def.internalType);
      if (clash) {
        const at = formatPointer(['apis', apiName, 'events', eventType]);
        problems.push(
          source.problem(
            ev.internalType !== undefined ? `${at}/internalType` : at,
            `gateway event type "${def.internalType}" is already rendered as "${clash.eventType}"`,
          ),
        );
      }
      events.set(eventType, def);
      internal.set(def.internalType, def);
    }
    const at = `/apis/${escapeToken(apiName)}`;
    const version = resolveVersion(
      lock,
      { name: apiName, role: 'management', stated: api.version, src: source, pointer: at, statedPointer: `${at}/version` },
      problems,
    );
    const notificationVersion = resolveVersion(
      lock,
      {
        name: api.notificationApi,
        role: 'listener',
        stated: api.notificationVersion,
        src: source,
        pointer: `${at}/notificationApi`,
        statedPointer: `${at}/notificationVersion`,
      },
      problems,
    );
    apis.set(
      apiName,
      Object.freeze({
        apiName,
        // a missing version is a problem reported above, so the catalogue is never returned: '' stands in
        version: version ?? '',
        notificationApi: api.notificationApi,
        notificationVersion: notificationVersion ?? '',
        events,
      }),
    );
    byInternal.set(apiName, internal);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return Object.freeze({
    release: raw.release,
    file: source.file,
    partyIds: raw.partyIds,
    apis,
    eventTypes: (apiName: string) => [...(apis.get(apiName)?.events.keys() ?? [])],
    findEvent: (apiName: string, internalType: string) => byInternal.get(apiName)?.get(internalType),
  });
}
