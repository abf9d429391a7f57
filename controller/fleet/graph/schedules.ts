// Room calendars through calendar: getSchedule (POST /users/{id}/calendar/getSchedule): free/busy
// of many mailboxes in one call, the least a meeting check needs. Least-privileged application
// permission: Calendars.ReadBasic.All (Calendars.Read works too but also reads subjects and
// bodies). Read-only, so it is sent as an idempotent request and retried like a GET.
import type { Logger } from '../../log/logger.ts';
import { FleetError } from '../../model/fleet.ts';
import type { Booking } from '../../model/rooms.ts';
import { fleetErrorFromResponse } from './graph-error.ts';
import type { GraphHttp } from './graph-http.ts';
import { segment } from './graph-urls.ts';
import { asObject, asOptionalString, parseTimestamp } from './wire-values.ts';

/**
 * Schedules per getSchedule call: 20, the documented limit (the service has been seen to take
 * 100, but the documentation is what is promised).
 */
export const maxSchedulesPerCall = 20;

const utc = (ms: number) => new Date(ms).toISOString().slice(0, 19);

/** The getSchedule body for some addresses between two instants, in UTC. */
export function scheduleBody(addresses: readonly string[], from: number, to: number): unknown {
  return {
    schedules: addresses,
    startTime: { dateTime: utc(from), timeZone: 'UTC' },
    endTime: { dateTime: utc(to), timeZone: 'UTC' },
    // Only scheduleItems are read; the coarsest view keeps the answer small.
    availabilityViewInterval: 1440,
  };
}

/** A dateTimeTimeZone in UTC (the service answers in UTC unless asked otherwise) as ms, or undefined. */
function instant(value: unknown): number | undefined {
  const object = asObject(value);
  const zone = asOptionalString(object?.['timeZone']);
  if (zone !== null && !/^(utc|etc\/utc|gmt)$/i.test(zone)) return undefined;
  const text = parseTimestamp(object?.['dateTime']);
  return text === null ? undefined : Date.parse(text);
}

/** Each address's bookings (or why not) from a getSchedule answer; an address the answer omits is an error value. */
export function parseSchedules(addresses: readonly string[], body: unknown, log: Logger): Map<string, Booking[] | FleetError> {
  const out = new Map<string, Booking[] | FleetError>();
  const items = asObject(body)?.['value'];
  for (const raw of Array.isArray(items) ? items : []) {
    const info = asObject(raw);
    const id = asOptionalString(info?.['scheduleId'])?.toLowerCase();
    if (!info || !id) continue;
    const error = asObject(info['error']);
    if (error) {
      const code = asOptionalString(error['responseCode']) ?? 'scheduleError';
      out.set(id, new FleetError(`read room calendar ${id}: ${code}${asOptionalString(error['message']) ? ` (${String(error['message']).slice(0, 200)})` : ''}`, { retryable: false, code }));
      continue;
    }
    const bookings: Booking[] = [];
    const list = info['scheduleItems'];
    for (const entry of Array.isArray(list) ? list : []) {
      const item = asObject(entry);
      const start = instant(item?.['start']);
      const end = instant(item?.['end']);
      if (start === undefined || end === undefined) {
        log.warn({ schedule: id }, 'calendar item without a readable UTC start or end skipped');
        continue;
      }
      bookings.push({ start, end, status: asOptionalString(item?.['status']) ?? 'unknown' });
    }
    out.set(id, bookings);
  }
  for (const address of addresses) {
    const key = address.toLowerCase();
    if (!out.has(key)) out.set(key, new FleetError(`read room calendar ${key}: missing from the getSchedule answer`, { retryable: true, code: 'invalidResponse' }));
  }
  return out;
}

/** Reads the bookings of room mailboxes between two instants, 20 addresses per call; keys are lower-case. */
export async function readSchedules(http: GraphHttp, log: Logger, addresses: readonly string[], from: number, to: number, signal?: AbortSignal): Promise<Map<string, Booking[] | FleetError>> {
  const unique = [...new Set(addresses.map((a) => a.toLowerCase()))];
  const out = new Map<string, Booking[] | FleetError>();
  for (let i = 0; i < unique.length; i += maxSchedulesPerCall) {
    const chunk = unique.slice(i, i + maxSchedulesPerCall);
    // Any mailbox of the tenant may ask; the first room of the chunk asks for all of them.
    const url = `/users/${segment(chunk[0]!)}/calendar/getSchedule`;
    try {
      const response = await http.send({ method: 'POST', url, body: scheduleBody(chunk, from, to), idempotent: true, what: 'read room calendars' }, signal);
      if (response.status !== 200) {
        const error = fleetErrorFromResponse('read room calendars', response);
        for (const a of chunk) out.set(a, error);
        continue;
      }
      for (const [a, result] of parseSchedules(chunk, response.body, log)) out.set(a, result);
    } catch (error) {
      if (!(error instanceof FleetError)) throw error;
      for (const a of chunk) out.set(a, error);
    }
  }
  return out;
}
