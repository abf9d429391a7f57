import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Plan } from '../../controller/model/plan.ts';
import { meetingsConditions } from '../../controller/status/meetings-condition.ts';
import { policy } from '../plan/fixtures.ts';

const plan = (trouble?: { reason: string; message: string }): Plan => ({
  now: 0, devices: [], actions: [], groups: [], policies: [], scheduledUpdates: [], conflicts: [], clamps: [], releases: [], rollouts: {},
  nextActionTime: undefined, unmanaged: [],
  ...(trouble ? { rooms: { reads: undefined, calendarTrouble: { ...trouble, at: 0 } } } : {}),
});
const aware = policy('rooms', { rollout: { meetings: { avoid: true } } });

test('a policy that does not avoid meetings has no MeetingsUnavailable condition', () => {
  assert.equal(meetingsConditions(policy('p', {}), plan({ reason: 'PermissionMissing', message: 'x' })), []);
});

test('a meeting-aware policy whose calendars can be read: MeetingsUnavailable False', () => {
  const [c] = meetingsConditions(aware, plan());
  assert.equal([c?.type, c?.status, c?.reason], ['MeetingsUnavailable', 'False', 'CalendarsReadable']);
});

test('without the permission: MeetingsUnavailable True with what to grant, and that updates go on', () => {
  const [c] = meetingsConditions(aware, plan({ reason: 'PermissionMissing', message: 'grant the application permission Calendars.ReadBasic.All' }));
  assert.equal([c?.type, c?.status, c?.reason], ['MeetingsUnavailable', 'True', 'PermissionMissing']);
  assert.match(c!.message, 'Calendars.ReadBasic.All');
  assert.match(c!.message, 'as if no meeting were booked');
});

test.run();
