// plan and why check their starts as the controller does before posting: the devices the plan
// would start have their operations read (fleet-operations.ts), their activity read again and,
// under a meeting-aware policy, their rooms' calendars; a device in use or a room booked too
// soon waits (InUse, RoomBooked) and the plan is made again, since the slot it frees may start
// another device, until every start has been checked.
import type { Fleet } from '../model/fleet.ts';
import type { Plan } from '../model/plan.ts';
import { silentLogger } from '../log/logger.ts';
import { RoomBook } from '../reconcile/room-book.ts';
import { planWithFleetOperations, type CheckedPlan, type PreviewInput } from './fleet-operations.ts';

/** The fleet calls the checks make. */
export type CheckFleet = Pick<Fleet, 'readOperations' | 'listOperations' | 'readActivity' | 'readSchedules'>;

/** A plan whose starts were checked against operations, devices in use and room calendars. */
export interface RoomCheckedPlan extends CheckedPlan {
  /** For stderr: checks that could not be made, and what that leaves unchecked. */
  readonly roomWarnings: readonly string[];
}

/**
 * Plans `input` with every start checked: operations, then activity and calendars, again for the
 * devices that took a slot a held room freed (at most `rounds` times, default 6).
 */
export async function planWithAllChecks(input: PreviewInput, fleet: CheckFleet, label: string, signal?: AbortSignal, rounds = 6): Promise<RoomCheckedPlan> {
  const book = new RoomBook(fleet, silentLogger());
  const tried = new Set<string>();
  const unreadable = new Map<string, string>();
  let checked: CheckedPlan | undefined;
  let current = input;
  for (let round = 0; round < rounds; round++) {
    checked = await planWithFleetOperations({ ...current, rooms: book.observations() }, fleet, signal);
    for (const [id, why] of checked.unreadable) unreadable.set(id, why);
    current = checked.input;
    const reads = checked.plan.rooms?.reads;
    if (!reads || reads.devices.every((id) => tried.has(id))) break;
    for (const id of reads.devices) tried.add(id);
    await book.read(reads, input.now, signal);
  }
  const done = checked!;
  return { input: done.input, plan: done.plan, unreadable, roomWarnings: roomWarnings(label, done.plan) };
}

/** Warning lines about room checks a plan could not make (about one device's only, when `only` names it). */
export function roomWarnings(label: string, plan: Plan, only?: string): string[] {
  const out: string[] = [];
  const trouble = plan.rooms?.calendarTrouble;
  if (trouble) out.push(`${label}: ${trouble.message}; updates show as starting in rooms as if no meeting were booked`);
  const unread = (plan.rooms?.reads?.devices ?? []).filter((id) => only === undefined || id === only);
  if (unread.length > 0) {
    out.push(`${label}: could not read whether ${unread.length} device${unread.length === 1 ? '' : 's'} it would start ${unread.length === 1 ? 'is' : 'are'} in use or booked (${unread[0]}${unread.length > 1 ? ', …' : ''}); they show as starting now, the controller would wait for a read`);
  }
  return out;
}
