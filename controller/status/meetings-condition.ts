// The MeetingsUnavailable condition of a meeting-aware UpdatePolicy (spec.rollout.meetings.avoid):
// True while the rooms' calendars cannot be read, with what to grant. It stands beside Ready,
// Reconciling and Stalled and changes none of them: without calendars updates go on as if no
// room were booked (rooms in use are still left alone), which is what the message says.
import type { UpdatePolicy } from '../model/manifests.generated.ts';
import type { Plan } from '../model/plan.ts';
import { meetingMarginMs } from '../policy/meetings.ts';
import type { ConditionValue } from './conditions.ts';

/** The MeetingsUnavailable condition for a policy: none when the policy does not avoid meetings. */
export function meetingsConditions(policy: UpdatePolicy | undefined, plan: Plan): ConditionValue[] {
  if (meetingMarginMs(policy) === undefined) return [];
  const trouble = plan.rooms?.calendarTrouble;
  if (trouble) {
    return [{ type: 'MeetingsUnavailable', status: 'True', reason: trouble.reason, message: `${trouble.message}; until then updates start in rooms as if no meeting were booked (rooms in use are still left alone)` }];
  }
  return [{ type: 'MeetingsUnavailable', status: 'False', reason: 'CalendarsReadable', message: 'each room\'s calendar is read before an update starts in it' }];
}
