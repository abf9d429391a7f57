// plan and why with rooms in use and meetings, against the in-process emulator over loopback:
// a Monday morning in Paris, the rooms' group on a meeting-aware policy with an office-hours
// window. What each device does is checked against the emulator's own activity and calendars
// (control.activityAt, control.roomCalendar), not the engine's code.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../controller/model/clock.ts';
import { createPlanCommand } from '../../controller/cli/plan.ts';
import { createWhyCommand } from '../../controller/cli/why.ts';
import { startEmulator } from '../../controller/fleet/emulator/server.ts';
import type { EmulatorHandle } from '../../controller/fleet/emulator/emulator-options.ts';
import { deps, runCommand } from './plan-harness.ts';
import { officeHoursPolicy } from '../support/office-hours-policy.ts';

// Monday 1 March 2027, 11:10 in Paris: the office-hours window is open, rooms are in meetings.
const at = '2027-03-01T10:10:00Z';
const now = Date.parse(at);
const minute = 60_000;
const margin = 60 * minute;
const roomTypes = ['teamsRoom', 'collaborationBar', 'surfaceHub', 'teamsPanel', 'touchConsole'];
const emulatorOptions = { devices: 160, seed: 42 };

const manifests = {
  'groups/paris-rooms.yaml': `apiVersion: firmwarden.dev/v1alpha1
kind: DeviceGroup
metadata:
  name: paris-rooms
spec:
  policyRef:
    name: rooms
  selector:
    tags: [site-paris]
    deviceTypes: [${roomTypes.join(', ')}]
  timeZone: Europe/Paris
`,
  // Phones and displays on the same hours, without meeting awareness: only "in use" holds them.
  'groups/paris-desks.yaml': `apiVersion: firmwarden.dev/v1alpha1
kind: DeviceGroup
metadata:
  name: paris-desks
spec:
  policyRef:
    name: desks
  selector:
    tags: [site-paris]
    deviceTypes: [ipPhone, lowCostPhone, teamsDisplay]
  timeZone: Europe/Paris
`,
  'policies/desks.yaml': officeHoursPolicy({ name: 'desks', phase: 'Test', maxConcurrent: 500 }),
  'policies/rooms.yaml': officeHoursPolicy({ name: 'rooms', phase: 'Test', maxConcurrent: 500, meetings: { marginMinutes: 60 } }),
};

interface Entry { softwareType: string; state: string; earliestStart?: string; reason: { code: string; message: string } }
interface PlanJson {
  devices: { deviceId: string; name: string; group?: string; software: Entry[] }[];
  actions: { deviceId: string }[];
}

let dir: string;
let emulator: EmulatorHandle;
let plan: PlanJson;

const Rooms = suite('plan and why: rooms in use and booked rooms');

Rooms.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fw-rooms-'));
  for (const [path, text] of Object.entries(manifests)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  // The same fleet, calendars and activity the command's in-process emulator serves (same seed,
  // size and clock), to read the facts from.
  emulator = await startEmulator({ ...emulatorOptions, clock: new ManualClock(now), rateLimit: 0 });
  const r = await runCommand(createPlanCommand(await deps({ emulator: emulatorOptions })), [dir, '--at', at, '--format', 'json']);
  assert.is(r.code, 0, r.stderr);
  plan = JSON.parse(r.stdout) as PlanJson;
});
Rooms.after(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

const bookingsNear = (id: string) => emulator.control.roomCalendar(id, now - 4 * 60 * minute, now + margin);
const blocking = (id: string) => bookingsNear(id).filter((b) => b.end > now && b.start < now + margin);

Rooms('a device in use is not started: InUse, read again five minutes later, and the emulator says it is busy', () => {
  const inUse = plan.devices.filter((d) => d.software.some((e) => e.reason.code === 'InUse'));
  assert.ok(inUse.length > 0, 'some phone is in a call on a Monday morning');
  for (const d of inUse) {
    assert.is(emulator.control.activityAt(d.deviceId, now), 'busy', d.deviceId);
    const e = d.software.find((x) => x.reason.code === 'InUse')!;
    assert.is(e.state, 'scheduled');
    assert.is(Date.parse(e.earliestStart!), now + 5 * minute);
    assert.not.ok(plan.actions.some((a) => a.deviceId === d.deviceId));
  }
});

Rooms('a room booked within the hour waits until its meetings are over (RoomBooked), as its calendar says', () => {
  const booked = plan.devices.filter((d) => d.software.some((e) => e.reason.code === 'RoomBooked'));
  assert.ok(booked.length > 0, 'some room has a meeting within the hour');
  for (const d of booked) {
    const inTheWay = blocking(d.deviceId);
    assert.ok(inTheWay.length > 0, `${d.deviceId} has a booking in progress or within 60 minutes`);
    const e = d.software.find((x) => x.reason.code === 'RoomBooked')!;
    assert.ok(Date.parse(e.earliestStart!) >= Math.max(...inTheWay.map((b) => b.end)), `${d.deviceId} waits past its booking`);
    assert.match(e.reason.message, 'spec.rollout.meetings');
  }
});

Rooms('every device the plan starts is idle now, and every room it starts has no booking under way or within the hour', () => {
  const groupOf = new Map(plan.devices.map((d) => [d.deviceId, d.group]));
  const rooms = plan.actions.filter((a) => groupOf.get(a.deviceId) === 'default/paris-rooms');
  assert.ok(rooms.length > 0, 'some rooms are free and start');
  for (const a of plan.actions) assert.is.not(emulator.control.activityAt(a.deviceId, now), 'busy', a.deviceId);
  for (const a of rooms) assert.equal(blocking(a.deviceId), [], `${a.deviceId} starts next to a meeting`);
});

Rooms('why names the meeting and the device in use, in local time', async () => {
  const booked = plan.devices.find((d) => d.software.some((e) => e.reason.code === 'RoomBooked'))!;
  const r1 = await runCommand(createWhyCommand(await deps({ emulator: emulatorOptions })), [booked.deviceId, dir, '--at', at]);
  assert.is(r1.code, 0, r1.stderr);
  assert.match(r1.stdout, /(a meeting is booked in the room until|the room is booked from) 2027-03-01 \d\d:\d\d/);
  assert.match(r1.stdout, 'Europe/Paris');
  const busy = plan.devices.find((d) => d.software.some((e) => e.reason.code === 'InUse'))!;
  const r2 = await runCommand(createWhyCommand(await deps({ emulator: emulatorOptions })), [busy.deviceId, dir, '--at', at, '--format', 'json']);
  assert.is(r2.code, 0, r2.stderr);
  const json = JSON.parse(r2.stdout) as { software: Entry[] };
  assert.ok(json.software.some((e) => e.reason.code === 'InUse' && e.reason.message.includes('the device is in use')), r2.stdout);
});

Rooms('without the calendar permission: a warning naming Calendars.ReadBasic.All, and rooms start as if not booked', async () => {
  const r = await runCommand(createPlanCommand(await deps({ emulator: { ...emulatorOptions, calendarAccess: false } })), [dir, '--at', at, '--format', 'json']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, 'Calendars.ReadBasic.All');
  const denied = JSON.parse(r.stdout) as PlanJson;
  assert.not.ok(denied.devices.some((d) => d.software.some((e) => e.reason.code === 'RoomBooked')));
  // Rooms in use are still left alone.
  assert.ok(denied.devices.some((d) => d.software.some((e) => e.reason.code === 'InUse')));
  assert.ok(denied.actions.length > plan.actions.length, 'the rooms held for meetings start');
});

Rooms.run();
