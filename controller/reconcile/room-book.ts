// What the controller has read about rooms, and the step that reads it: before anything starts,
// the devices the plan would start have their activity read again (the device list's may be
// minutes old) and, under a meeting-aware policy, their rooms' calendars; then the plan is made
// again, since a room held frees its slot for another device. As the operations are read before
// a POST (operations.ts), and in $batch / getSchedule calls of 20.
//
// Calendars the app may not read (403) are a standing fact, not a per-room failure: the book
// remembers it (the plan then treats rooms as unbooked and the policy's MeetingsUnavailable
// condition says what to grant), warns once, and the plan asks again an hour later.
import type { Fleet } from '../model/fleet.ts';
import { FleetError } from '../model/fleet.ts';
import type { ActivityReading, CalendarTrouble, RoomObservations, RoomReads, RoomSchedule } from '../model/rooms.ts';
import type { Logger } from '../log/logger.ts';
import { activityFreshMs } from '../policy/in-use.ts';
import { calendarPermission, scheduleFreshMs } from '../policy/meetings.ts';

/** The fleet calls the book makes (both optional on the port). */
export type RoomFleet = Pick<Fleet, 'readActivity' | 'readSchedules'>;

/** Readings of devices' activity and rooms' calendars, kept between reconciles while they count. */
export class RoomBook {
  readonly #fleet: RoomFleet;
  readonly #log: Logger;
  readonly #activity = new Map<string, ActivityReading>();
  readonly #schedules = new Map<string, RoomSchedule>();
  #trouble: CalendarTrouble | undefined;
  /** Warn once per kind of trouble, and once per mailbox that does not exist. */
  readonly #warned = new Set<string>();

  constructor(fleet: RoomFleet, logger: Logger) {
    this.#fleet = fleet;
    this.#log = logger.child({ component: 'rooms' });
  }

  /** Everything read so far, for the plan. */
  observations(): RoomObservations {
    return { activity: new Map(this.#activity), schedules: new Map(this.#schedules), ...(this.#trouble ? { calendarTrouble: this.#trouble } : {}) };
  }

  /** Forgets readings too old to count at `now` (keeps the book bounded by what recently started). */
  prune(now: number): void {
    for (const [id, r] of this.#activity) if (r.at > now || now - r.at >= activityFreshMs) this.#activity.delete(id);
    for (const [a, s] of this.#schedules) if (s.at > now || now - s.at >= scheduleFreshMs) this.#schedules.delete(a);
  }

  /**
   * Reads what a plan asks for. A device whose activity cannot be read gets no reading, so its
   * start waits for the next reconcile rather than going ahead unchecked.
   */
  async read(reads: RoomReads, now: number, signal?: AbortSignal): Promise<void> {
    if (reads.activity.length > 0) await this.#readActivity(reads.activity, now, signal);
    if (reads.schedules.length > 0) await this.#readSchedules(reads, now, signal);
  }

  async #readActivity(ids: readonly string[], now: number, signal?: AbortSignal): Promise<void> {
    if (!this.#fleet.readActivity) {
      // Nothing to check with: the starts go ahead as before the check existed.
      this.#once('noActivity', () => this.#log.info('this fleet connection cannot read device activity; updates start without checking whether a device is in use'));
      for (const id of ids) this.#activity.set(id, { state: 'unknown', at: now });
      return;
    }
    let failed = 0;
    for (const [id, result] of await this.#fleet.readActivity(ids, signal)) {
      if (result instanceof FleetError) failed++;
      else this.#activity.set(id, { state: result, at: now });
    }
    if (failed > 0) this.#log.warn({ failed, asked: ids.length }, 'device activity not read; those updates wait for the next reconcile');
  }

  async #readSchedules(reads: RoomReads, now: number, signal?: AbortSignal): Promise<void> {
    if (!this.#fleet.readSchedules) {
      this.#setTrouble({ reason: 'NotSupported', at: now, message: 'this fleet connection cannot read room calendars' });
      return;
    }
    const results = await this.#fleet.readSchedules(reads.schedules, reads.scheduleFrom, reads.scheduleTo, signal);
    const denied = [...results.values()].find((r): r is FleetError => r instanceof FleetError && (r.status === 403 || r.status === 401));
    if (denied) {
      this.#setTrouble({
        reason: 'PermissionMissing',
        at: now,
        message: `the rooms' calendars cannot be read (${denied.message}): grant firmwarden's app registration the Microsoft Graph application permission ${calendarPermission} (admin consent); it is tried again hourly`,
      });
      return;
    }
    if (this.#trouble) this.#log.info('room calendars can be read again');
    this.#trouble = undefined;
    this.#warned.delete('calendars');
    let failed = 0;
    for (const [address, result] of results) {
      if (!(result instanceof FleetError)) {
        this.#schedules.set(address, { from: reads.scheduleFrom, to: reads.scheduleTo, at: now, bookings: result });
      } else if (!result.retryable) {
        // No such mailbox (a renamed resource account): there is no calendar to respect.
        this.#once(`mailbox ${address}`, () => this.#log.warn({ mailbox: address, err: result.message }, 'room calendar not found; updates start in that room as if it were not booked'));
        this.#schedules.set(address, { from: reads.scheduleFrom, to: reads.scheduleTo, at: now, bookings: [] });
      } else {
        failed++;
      }
    }
    if (failed > 0) this.#log.warn({ failed, asked: reads.schedules.length }, 'room calendars not read; those updates wait for the next reconcile');
  }

  #setTrouble(trouble: CalendarTrouble): void {
    this.#trouble = trouble;
    this.#once('calendars', () => this.#log.warn({ reason: trouble.reason }, `${trouble.message}; until then updates start in rooms as if no meeting were booked`));
  }

  #once(key: string, act: () => void): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    act();
  }
}

/**
 * Evaluates, reads what the plan's starts still need and evaluates again, at most `rounds`
 * times (default 4: each round only reads devices that took a slot a held room freed). Starts
 * still unread after that are left out: they wait for the next reconcile, never go unchecked.
 */
export async function settleRooms<T extends { readonly starts: readonly { readonly deviceId: string }[]; readonly plan?: { readonly rooms?: { readonly reads: RoomReads | undefined } | undefined } | undefined }>(
  evaluate: () => T,
  book: RoomBook,
  now: () => number,
  signal?: AbortSignal,
  rounds = 4,
): Promise<T> {
  let output = evaluate();
  const tried = new Set<string>();
  for (let round = 0; round < rounds; round++) {
    const reads = output.plan?.rooms?.reads;
    if (!reads || reads.devices.length === 0) return output;
    // Only devices that took a freed slot are new; a read that failed once is not repeated now.
    if (signal?.aborted || reads.devices.every((id) => tried.has(id))) break;
    for (const id of reads.devices) tried.add(id);
    await book.read(reads, now(), signal);
    // Let go of the previous evaluation before making the next: its plan is several MB at 10k
    // devices and would otherwise stay reachable until `evaluate` returns (issue 17).
    output = undefined as unknown as T;
    output = evaluate();
  }
  const unread = new Set(output.plan?.rooms?.reads?.devices ?? []);
  return unread.size === 0 ? output : { ...output, starts: output.starts.filter((s) => !unread.has(s.deviceId)) };
}
