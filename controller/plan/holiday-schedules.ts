// The window schedule of each group once holidays are in: the policy's and the group's written
// dates and .ics days, placed in the group's zone. Groups and policies without holidays keep
// the schedule shared by every plan (group-context's scheduleFor); those with holidays get one
// per plan, because the .ics days come with each reading of the manifests.
import type { DeviceGroup, UpdatePolicy } from '../model/manifests.generated.ts';
import { objectKey, ownerKey } from '../policy/manifest-keys.ts';
import { compileHolidays, holidayRange, writtenHolidayDays } from '../policy/holidays.ts';
import type { HolidayDay } from '../model/desired.ts';
import { WindowSchedule, compileFreezes, compileWindows } from '../policy/windows.ts';
import { scheduleFor, type GroupSchedules } from './group-context.ts';

/** Days read from .ics files, by owner key (namespace/Kind/name) of the DeviceGroup or UpdatePolicy that references them. */
export type CalendarDays = ReadonlyMap<string, readonly HolidayDay[]>;

/** Builds (and keeps for one plan) the schedules of groups whose policy or group has holidays. */
export class HolidaySchedules implements GroupSchedules {
  readonly #calendarDays: CalendarDays | undefined;
  readonly #range: { readonly fromDay: number; readonly toDay: number };
  readonly #made = new Map<string, WindowSchedule>();

  constructor(calendarDays: CalendarDays | undefined, now: number) {
    this.#calendarDays = calendarDays;
    this.#range = holidayRange(now);
  }

  /** The holidays of a policy and a group (the policy's first: it names a day both list). */
  daysOf(policy: UpdatePolicy | undefined, group: DeviceGroup | undefined): HolidayDay[] {
    const { fromDay, toDay } = this.#range;
    const days: HolidayDay[] = [];
    if (policy) {
      if (policy.spec.holidays?.dates?.length) days.push(...writtenHolidayDays(policy.spec.holidays, `UpdatePolicy ${policy.metadata.name}`, fromDay, toDay));
      days.push(...(this.#calendarDays?.get(ownerKey('UpdatePolicy', policy.metadata)) ?? []));
    }
    if (group) {
      if (group.spec.holidays?.dates?.length) days.push(...writtenHolidayDays(group.spec.holidays, `DeviceGroup ${group.metadata.name}`, fromDay, toDay));
      days.push(...(this.#calendarDays?.get(ownerKey('DeviceGroup', group.metadata)) ?? []));
    }
    return days;
  }

  /** The schedule of `group` under `policy` in `timeZone`. */
  scheduleFor(policy: UpdatePolicy | undefined, group: DeviceGroup, timeZone: string): WindowSchedule {
    const days = this.daysOf(policy, group);
    if (days.length === 0) return scheduleFor(policy, timeZone);
    const key = `${policy ? objectKey(policy.metadata) : ''}\u0000${objectKey(group.metadata)}\u0000${timeZone}`;
    let schedule = this.#made.get(key);
    if (!schedule) {
      schedule = new WindowSchedule(
        compileWindows(policy?.spec.maintenanceWindows, timeZone),
        compileFreezes(policy?.spec.freezes, timeZone),
        compileHolidays(days, timeZone),
      );
      this.#made.set(key, schedule);
    }
    return schedule;
  }
}
