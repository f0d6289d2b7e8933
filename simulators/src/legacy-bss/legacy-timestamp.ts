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

/** Luxon pattern of legacy calendar dates (requested and expected completion dates), e.g. `25.11.2026`. */
export const LEGACY_DATE_FORMAT = 'dd.MM.yyyy';

/** Formats the Berlin calendar day of an instant, e.g. `25.11.2026`. */
export function formatLegacyDate(instant: Date): string {
  return DateTime.fromJSDate(instant, { zone: LEGACY_TIME_ZONE }).toFormat(LEGACY_DATE_FORMAT);
}

/**
 * Parses a legacy date to the start of that day in Berlin; `undefined` unless the text is exactly
 * `dd.MM.yyyy` and a real calendar day (`31.02.2026` is refused, not rolled over).
 */
export function parseLegacyDate(text: string): Date | undefined {
  const parsed = DateTime.fromFormat(text, LEGACY_DATE_FORMAT, { zone: LEGACY_TIME_ZONE });
  if (!parsed.isValid || parsed.toFormat(LEGACY_DATE_FORMAT) !== text) return undefined;
  return parsed.toJSDate();
}

/** Start of the Berlin calendar day `instant` falls on. */
export function startOfLegacyDay(instant: Date): Date {
  return DateTime.fromJSDate(instant, { zone: LEGACY_TIME_ZONE }).startOf('day').toJSDate();
}

/** The last minute (23:59 Berlin) of the calendar day `days` days after the day of `instant`. */
export function endOfLegacyDayAfter(instant: Date, days: number): Date {
  return DateTime.fromJSDate(instant, { zone: LEGACY_TIME_ZONE })
    .plus({ days })
    .set({ hour: 23, minute: 59, second: 0, millisecond: 0 })
    .toJSDate();
}

/**
 * Start of the Berlin day `workingDays` working days (Monday to Friday; the simulated BSS knows no
 * public holidays) after the day of `instant`.
 */
export function addLegacyWorkingDays(instant: Date, workingDays: number): Date {
  let day = DateTime.fromJSDate(instant, { zone: LEGACY_TIME_ZONE }).startOf('day');
  let left = workingDays;
  while (left > 0) {
    day = day.plus({ days: 1 });
    if (day.weekday <= 5) left -= 1;
  }
  return day.toJSDate();
}

/** Adds hours to an instant (the legacy fault desk counts restore targets in clock hours). */
export function addHours(instant: Date, hours: number): Date {
  return new Date(instant.getTime() + hours * 3_600_000);
}
