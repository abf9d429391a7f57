// calendar: getSchedule of the emulated tenant (POST /users/{id|userPrincipalName}/calendar/getSchedule):
// free/busy of room mailboxes from the seeded room calendars (room-calendar.ts), in UTC. An app
// without a calendar permission gets 403, as Graph answers an app that was never granted one.
import { graphError, type GraphAnswer } from './graph-errors.ts';
import type { EmulatorState } from './fleet-state.ts';
import { findIndexByPrincipalName, findIndexByUserId } from './fleet-gen.ts';
import { bookingsBetween, hasRoomCalendar } from './room-calendar.ts';
import type { TokenClaims } from './tokens.ts';

/** Application permissions that let an app read free/busy (least privileged first). */
export const calendarRoles: readonly string[] = ['Calendars.ReadBasic.All', 'Calendars.Read', 'Calendars.ReadWrite'];

/** Most schedules one call takes (the documentation says 20; the service has been seen to take 100). */
export const maxSchedules = 100;

type Ids = { readonly now: number; readonly requestId: string; readonly clientRequestId?: string | undefined };

const utcText = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}.0000000`;

/** A dateTimeTimeZone in UTC, as ms; undefined for anything else. */
function readInstant(value: unknown): number | undefined {
  const v = value as { dateTime?: unknown; timeZone?: unknown } | null;
  if (typeof v?.dateTime !== 'string') return undefined;
  if (v.timeZone !== undefined && (typeof v.timeZone !== 'string' || !/^(utc|etc\/utc)$/i.test(v.timeZone))) return undefined;
  const ms = Date.parse(/[zZ]|[+-]\d{2}:\d{2}$/.test(v.dateTime) ? v.dateTime : `${v.dateTime}Z`);
  return Number.isFinite(ms) ? ms : undefined;
}

/** True when the path is a getSchedule call: users/{id}/calendar/getSchedule. */
export function isGetSchedule(segments: readonly string[]): boolean {
  return segments.length === 4 && segments[0] === 'users' && segments[2] === 'calendar' && segments[3]?.toLowerCase() === 'getschedule';
}

/** Answers getSchedule. */
export function answerGetSchedule(state: EmulatorState, graphBaseUrl: string, method: string, segments: readonly string[], body: unknown, claims: TokenClaims, ids: Ids): GraphAnswer {
  if (method !== 'POST') return graphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.', ids, { Allow: 'POST' });
  if (!claims.roles.some((r) => calendarRoles.includes(r))) {
    return graphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.', ids);
  }
  const caller = segments[1] ?? '';
  if (findIndexByPrincipalName(state.spec, caller) === undefined && findIndexByUserId(state.spec, caller) === undefined) {
    return graphError(404, 'ErrorInvalidUser', `The requested user '${caller}' is invalid.`, ids);
  }
  const b = body as { schedules?: unknown; startTime?: unknown; endTime?: unknown } | undefined;
  const schedules = b?.schedules;
  if (!Array.isArray(schedules) || schedules.length === 0 || !schedules.every((s) => typeof s === 'string')) {
    return graphError(400, 'ErrorInvalidParameter', 'schedules must be a non-empty list of SMTP addresses.', ids);
  }
  if (schedules.length > maxSchedules) {
    return graphError(400, 'ErrorMailboxDataArrayTooBig', `There are too many target users in the EmailAddress array. The allowed size = ${maxSchedules}; the actual size = ${schedules.length}.`, ids);
  }
  const from = readInstant(b?.startTime);
  const to = readInstant(b?.endTime);
  if (from === undefined || to === undefined || to <= from) {
    return graphError(400, 'ErrorInvalidParameter', 'startTime and endTime must be dateTimeTimeZone values in UTC, with endTime after startTime.', ids);
  }
  const value = (schedules as string[]).map((address) => {
    const index = findIndexByPrincipalName(state.spec, address);
    const record = index === undefined ? undefined : state.device(index);
    if (!record || !hasRoomCalendar(record)) {
      return { scheduleId: address, error: { message: `The mailbox ${address} was not found.`, responseCode: 'ErrorMailRecipientNotFound' } };
    }
    const scheduleItems = bookingsBetween(state.spec, record, from, to).map((x) => ({
      isPrivate: false,
      status: x.status,
      start: { dateTime: utcText(x.start), timeZone: 'UTC' },
      end: { dateTime: utcText(x.end), timeZone: 'UTC' },
    }));
    return { scheduleId: address, availabilityView: '', scheduleItems, workingHours: { daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'], startTime: '08:00:00.0000000', endTime: '18:00:00.0000000', timeZone: { name: record.site.timeZone } } };
  });
  return { status: 200, headers: { 'Content-Type': 'application/json' }, body: { '@odata.context': `${graphBaseUrl}/$metadata#Collection(microsoft.graph.scheduleInformation)`, value } };
}
