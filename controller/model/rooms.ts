// What the controller knows of rooms in use: a device's activity read just before an update
// would start (teamworkDevice.activityState), and a room's bookings read from its resource
// account's calendar (getSchedule: free/busy only, never subjects or bodies). The fleet adapter
// reads them; the pure plan decides with them (controller/policy/in-use.ts, meetings.ts).

/** teamworkDeviceActivityState, as the API names it (unknownFutureValue and anything new read as unknown). */
export const ActivityStates = ['unknown', 'busy', 'idle', 'unavailable'] as const;
export type ActivityState = (typeof ActivityStates)[number];

/** One device's activity, as read at `at` (ms). */
export interface ActivityReading {
  readonly state: ActivityState;
  readonly at: number;
}

/** A stretch of a room's calendar that is not free (getSchedule's scheduleItems: busy, tentative, oof…). */
export interface Booking {
  readonly start: number;
  readonly end: number;
  /** The free/busy status as the service sent it (busy, tentative, oof, workingElsewhere, unknown). */
  readonly status: string;
}

/** A room's bookings between `from` and `to`, as read at `at`. */
export interface RoomSchedule {
  readonly from: number;
  readonly to: number;
  readonly at: number;
  readonly bookings: readonly Booking[];
}

/** Why room calendars cannot be read at all: the app lacks the permission, or the service refuses. */
export interface CalendarTrouble {
  /** CamelCase, for the MeetingsUnavailable condition: PermissionMissing (a 403) or NotSupported (the fleet cannot read calendars). */
  readonly reason: string;
  /** When the read failed (ms). */
  readonly at: number;
  /** A sentence for people: what failed and what to do (the permission to grant). */
  readonly message: string;
}

/** Everything read about rooms so far, handed to the plan. Keys of `schedules` are lower-case mailbox addresses. */
export interface RoomObservations {
  readonly activity: ReadonlyMap<string, ActivityReading>;
  readonly schedules: ReadonlyMap<string, RoomSchedule>;
  /** Set while calendars cannot be read (a 403): meeting-aware policies then go on as if no room were booked. */
  readonly calendarTrouble?: CalendarTrouble | undefined;
}

/** What the plan would like read fresh before starting: devices' activity and rooms' calendars. */
export interface RoomReads {
  /** The devices the plan would start that wait for one of these reads (none starts unread). */
  readonly devices: readonly string[];
  /** Device ids whose activity is not known fresh enough. */
  readonly activity: readonly string[];
  /** Room mailbox addresses (lower-case) whose bookings are not known fresh enough. */
  readonly schedules: readonly string[];
  /** The stretch of time the calendar reads must cover (ms). */
  readonly scheduleFrom: number;
  readonly scheduleTo: number;
}
