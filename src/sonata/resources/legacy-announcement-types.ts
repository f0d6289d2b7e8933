import type { Registry } from '../../registry/registry.js';

/**
 * A legacy report about an object the gateway does not keep but reads from the BSS on every request (a CIM incident:
 * one of the BSS's network events), returned by a legacy event mapping as `{announce: {...}}`. The BSS sends one report
 * per customer the object touches; the gateway tells that customer's partners.
 */
export interface LegacyAnnouncement {
  /** The BSS customer number the report is for: partners with this `legacyCustomerId` hear of it. */
  customerId: string;
  /** Management API whose subscribers are notified (`cimIncident`). */
  api: string;
  /** The operation (of that API, in the partner's release) that renders the object for the partner, by path `{id}`. */
  retrieve: string;
  /** The object's id. */
  id: string;
  /** Gateway event types to publish. */
  eventTypes: string[];
  /** When it happened (ISO 8601). */
  occurredAt: string;
  /** Identifies the report, so one delivered twice (callback and journal poll) notifies once. */
  reportId: string;
}

/** Publishes an announcement to each partner it concerns; resolves with how many events were published. */
export type LegacyAnnouncer = (registry: Registry, a: LegacyAnnouncement) => Promise<number>;
