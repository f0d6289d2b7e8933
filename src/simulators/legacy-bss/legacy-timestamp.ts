import { DateTime } from 'luxon';

/** The legacy BSS keeps local wall-clock time of its data centre, not UTC. */
export const LEGACY_TIME_ZONE = 'Europe/Berlin';

/** Luxon pattern of every timestamp the legacy BSS emits, e.g. `25.11.2026 14:03`. */
export const LEGACY_TIMESTAMP_FORMAT = 'dd.MM.yyyy HH:mm';

/** Formats an instant the way the legacy BSS prints it (Berlin local time, minute precision). */
export function formatLegacyTimestamp(instant: Date): string {
  return DateTime.fromJSDate(instant, { zone: LEGACY_TIME_ZONE }).toFormat(LEGACY_TIMESTAMP_FORMAT);
}

/**
 * Parses a legacy timestamp; returns `undefined` unless the text is exactly in the legacy format.
 * The round trip rejects sloppy forms (`1.1.2026 9:00`) and wall-clock times skipped by the
 * daylight-saving switch, which luxon would otherwise silently shift.
 */
export function parseLegacyTimestamp(text: string): Date | undefined {
  const parsed = DateTime.fromFormat(text, LEGACY_TIMESTAMP_FORMAT, { zone: LEGACY_TIME_ZONE });
  if (!parsed.isValid || parsed.toFormat(LEGACY_TIMESTAMP_FORMAT) !== text) return undefined;
  return parsed.toJSDate();
}
