// The whole loop against the emulator over loopback HTTP, on the example config repo, for ten
// weeks of simulated time: the example manifests in a real folder, the real engine, the real
// Graph adapter, one clock shared by emulator and controller. The expectations below are
// computed from the emulator's own release list and the example files' rules, independently of
// the engine's code. New York's meeting rooms get their own group here, on a meeting-aware
// policy with an office-hours window, so that rooms in use and bookings are tested where they
// matter: that no update starts on a busy device or next to a meeting is read from the
// emulator's action log and calendars.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../controller/model/clock.ts';
import { silentLogger } from '../../controller/log/logger.ts';
import { parseFleetOptions } from '../../controller/config/fleet-options.ts';
import { createFleet, type FleetConnection } from '../../controller/config/fleet-connection.ts';
import { DirSource } from '../../controller/sources/dir-source.ts';
import { parseManifestTexts } from '../../controller/manifest/parse-manifests.ts';
import { replaceStatus } from '../../controller/manifest/status-writer.ts';
import { FleetView } from '../../controller/reconcile/fleet-view.ts';
import { createReconciler } from '../../controller/reconcile/reconcile.ts';
import { createEngine } from '../../controller/reconcile/engine.ts';
import { MemoryStateStore } from '../../controller/state/memory-state-store.ts';
import type { DeviceView } from '../../controller/fleet/emulator/control.ts';
import { officeHoursPolicy } from '../support/office-hours-policy.ts';

const logger = silentLogger();
const day = 86_400_000;
const hour = 3_600_000;
const start = Date.parse('2027-01-01T00:00:00Z');
// Ends before the American and European DST changes of March 2027, so the window check below
// can reason in plain local days.
const end = start + 70 * day;
const examples = new URL('../../examples/', import.meta.url).pathname;

/** Numeric comparison of dotted versions (own helper: not the engine's). */
function newer(a: string, b: string): boolean {
  const pa = a.split(/[./_-]/).map(Number);
  const pb = b.split(/[./_-]/).map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return false;
}

type Group = 'lab' | 'vip-rooms' | 'basic-rooms' | 'nyc-rooms' | 'general-paris' | 'general-nyc';
const rooms = new Set(['teamsRoom', 'collaborationBar', 'surfaceHub']);

/** The example groups' selectors and priorities, worked out by hand from examples/groups. */
function groupOf(d: DeviceView): Group | undefined {
  const has = (t: string) => d.tags.includes(t);
  if (has('lab')) return 'lab';
  if (has('basic')) return 'basic-rooms';
  if (has('vip') && has('site-paris') && rooms.has(d.deviceType)) return 'vip-rooms';
  if (has('site-nyc') && rooms.has(d.deviceType)) return 'nyc-rooms';
  if (has('site-paris')) return 'general-paris';
  if (has('site-nyc')) return 'general-nyc';
  return undefined;
}
const zoneOf: Record<Group, string> = {
  lab: 'Europe/Paris', 'vip-rooms': 'Europe/Paris', 'basic-rooms': 'Europe/Lisbon', 'nyc-rooms': 'America/New_York', 'general-paris': 'Europe/Paris', 'general-nyc': 'America/New_York',
};
const firmwareDelayDays: Record<Group, number> = { lab: 0, 'vip-rooms': 90, 'basic-rooms': 30, 'nyc-rooms': 30, 'general-paris': 30, 'general-nyc': 30 };
/** Minutes the nyc-rooms policy keeps free before a booking. */
const meetingMargin = 60 * 60_000;

/** New York's meeting rooms: office hours, General phase, no update in or within an hour before a meeting. */
const nycRooms = {
  'groups/nyc-rooms.yaml': `apiVersion: firmwarden.dev/v1alpha1
kind: DeviceGroup
metadata:
  name: nyc-rooms
spec:
  policyRef:
    name: nyc-rooms
  selector:
    tags: [site-nyc]
    deviceTypes: [teamsRoom, collaborationBar, surfaceHub]
  priority: 50
  timeZone: America/New_York
`,
  'policies/nyc-rooms.yaml': officeHoursPolicy({ name: 'nyc-rooms', phase: 'General', maxConcurrent: 10, meetings: { marginMinutes: 60 } }),
};

function localParts(ms: number, timeZone: string): { weekday: string; minutes: number; date: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(ms)
      .map((p) => [p.type, p.value]),
  );
  return { weekday: parts.weekday!, minutes: Number(parts.hour) * 60 + Number(parts.minute), date: `${parts.year}-${parts.month}-${parts.day}` };
}

/** Whether an automatic update may start at `ms` for a group, from the example policies' windows and freezes. */
function insideWindow(group: Group, ms: number): boolean {
  const { weekday, minutes, date } = localParts(ms, zoneOf[group]);
  if (group === 'lab') return ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'].includes(weekday) && minutes >= 9 * 60 && minutes < 17 * 60;
  if (group === 'nyc-rooms') return ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'].includes(weekday) && minutes >= 8 * 60 && minutes < 18 * 60;
  if (group === 'vip-rooms') {
    if (date >= '2026-12-18' && date <= '2027-01-04') return false;
    return (weekday === 'Sat' && minutes >= 20 * 60) || (weekday === 'Sun' && minutes < 6 * 60) || (weekday === 'Sun' && minutes >= 8 * 60 && minutes < 20 * 60);
  }
  // The general policy's holidays (examples/policies/general.yaml) close every window on New
  // Year's Day and Christmas in the site's own time; the loop starts on 1 January.
  if (date.endsWith('-01-01') || date.endsWith('-12-25')) return false;
  if (group === 'general-nyc' && date.endsWith('-07-04')) return false;
  return (
    (['Mon', 'Tue', 'Wed', 'Thu'].includes(weekday) && minutes >= 22 * 60) ||
    (['Tue', 'Wed', 'Thu', 'Fri'].includes(weekday) && minutes < 5 * 60) ||
    weekday === 'Sat' ||
    weekday === 'Sun'
  );
}

async function setup(devices: number) {
  const clock = new ManualClock(start);
  const { options } = parseFleetOptions(['--emulator', '--fleet-rate', '10000'], {});
  // Releases lie in the ~6 months before the epoch: with the epoch 40 days ahead, new versions
  // come out while the loop runs, and their first sighting is their release.
  const conn: FleetConnection = await createFleet(options, {
    logger,
    clock,
    emulator: { devices, seed: 11, rateLimit: 0, failureRate: 0, durationJitter: 0, epoch: start + 40 * day },
  });
  const dir = await mkdtemp(join(tmpdir(), 'fw-loop-'));
  for (const sub of ['groups', 'policies', 'schedules']) await cp(join(examples, sub), join(dir, sub), { recursive: true });
  for (const [path, text] of Object.entries(nycRooms)) await writeFile(join(dir, path), text);
  const source = new DirSource({ dir, replaceStatus, logger });
  const makeReconciler = (stateStore = new MemoryStateStore()) =>
    createReconciler({
      sync: (signal) => source.sync(signal),
      parse: (snapshot, now) => parseManifestTexts(snapshot.files, now),
      fleet: conn.fleet,
      fleetView: new FleetView(conn.fleet, { clock, logger }, { maxAgeMs: 4 * hour, listIntervalMs: 30 * day, chunk: 5000 }),
      stateStore,
      engine: createEngine(),
      statusWriter: source,
      clock,
      logger,
      isStopping: () => false,
      pollIntervalMs: 10 * 60_000,
    });
  const close = async () => {
    await source.close();
    await conn.close();
    await rm(dir, { recursive: true, force: true });
  };
  return { clock, conn, dir, makeReconciler, close };
}

/** Runs reconciles, moving the clock to the time each outcome names (at most four hours on). */
async function play(reconcile: ReturnType<typeof createReconciler>, clock: ManualClock, until: number): Promise<number> {
  const signal = new AbortController().signal;
  let n = 0;
  while (clock.now() < until) {
    const outcome = await reconcile({ reconcileId: ++n, signal });
    const next = outcome.kind === 'waiting' ? Math.min(outcome.until, clock.now() + 4 * hour) : clock.now() + 4 * hour;
    clock.set(Math.min(until, Math.max(next, clock.now() + 60_000)));
  }
  return n;
}

test('ten weeks on the example repo: every eligible device on the expected firmware, no downgrade, no duplicate, nothing outside a window', async () => {
  const { clock, conn, makeReconciler, close } = await setup(70);
  try {
    await play(makeReconciler(), clock, end);
    const control = conn.emulator!.control;
    const all = control.devices({ limit: 1000 });
    const byId = new Map(all.map((d) => [d.id, d]));
    const posts = control.actionLog({ action: 'updateSoftware' });
    assert.ok(posts.length > 20, `the loop started updates (${posts.length})`);

    // No duplicate: nothing refused with 409, and one device's operations never overlap.
    assert.equal(posts.filter((p) => p.status !== 202).map((p) => `${p.deviceId} ${p.status}`), []);
    for (const d of all) {
      const ops = control.operations(d.id).filter((o) => o.operationType === 'softwareUpdate').sort((a, b) => Date.parse(a.createdDateTime) - Date.parse(b.createdDateTime));
      for (let i = 1; i < ops.length; i++) {
        assert.ok(Date.parse(ops[i]!.createdDateTime) >= Date.parse(ops[i - 1]!.completesDateTime!), `overlapping operations on ${d.id}`);
      }
    }

    // No downgrade: every update asked for a version newer than the one installed.
    for (const p of posts) assert.ok(p.fromVersion && p.targetVersion && newer(p.targetVersion, p.fromVersion), `${p.deviceId}: ${p.fromVersion} -> ${p.targetVersion}`);

    // Nothing started outside a window, except what the ScheduledUpdate asked for after its time.
    const scheduledAt = Date.parse('2027-01-17T02:00:00Z'); // 16 January 21:00 in New York
    for (const p of posts) {
      const d = byId.get(p.deviceId)!;
      const group = groupOf(d);
      assert.ok(group, `${p.deviceId} is in no group yet was updated`);
      const bySchedule = group === 'general-nyc' && p.softwareType === 'teamsClient' && p.atMs >= scheduledAt;
      assert.ok(bySchedule || insideWindow(group!, p.atMs), `${p.softwareType} on ${p.deviceId} (${group}) started at ${p.at}, outside its windows`);
    }

    // Rooms in use are left alone: the emulator logged every device idle (or not reporting) when
    // its update was posted, and its activity model agrees.
    for (const p of posts) {
      assert.is.not(p.activityState, 'busy', `${p.softwareType} on ${p.deviceId} posted at ${p.at} while the device was in use`);
      assert.is.not(control.activityAt(p.deviceId, p.atMs), 'busy', `${p.deviceId} busy at ${p.at}`);
    }
    // Meetings: no update in a New York room while a booking is under way or within the hour before one.
    const roomPosts = posts.filter((p) => groupOf(byId.get(p.deviceId)!) === 'nyc-rooms');
    assert.ok(roomPosts.length >= 5, `New York's rooms were updated in office hours (${roomPosts.length})`);
    for (const p of roomPosts) {
      const near = control.roomCalendar(p.deviceId, p.atMs - 4 * hour, p.atMs + meetingMargin).filter((b) => b.end > p.atMs && b.start < p.atMs + meetingMargin);
      assert.equal(near.map((b) => `${new Date(b.start).toISOString()}..${new Date(b.end).toISOString()}`), [], `${p.softwareType} on room ${p.deviceId} posted at ${p.at}, next to a meeting`);
    }
    // The rule was tested, not dodged: office hours hold many bookings in those rooms.
    const booked = [...new Set(roomPosts.map((p) => p.deviceId))].reduce((n, id) => n + control.roomCalendar(id, start, end).length, 0);
    assert.ok(booked >= 50, `the updated rooms had meetings over the weeks (${booked})`);

    // Unknown firmware and offline devices never got an automatic firmware update.
    for (const p of posts.filter((x) => x.softwareType === 'firmware')) {
      const d = byId.get(p.deviceId)!;
      assert.not.ok(d.unknownFirmware, `unknown firmware on ${d.id} was updated`);
      assert.is.not(d.healthStatus, 'offline');
    }

    // Every eligible device ends on the newest verified firmware whose first sighting plus its
    // group's phase delay is at least a week before the end (and on nothing newer than the
    // newest eligible at the end). Basic licences count as General.
    let checked = 0;
    for (const d of all) {
      const group = groupOf(d);
      const fw = d.software.firmware;
      if (!group || !fw?.currentVersion || d.unknownFirmware || d.healthStatus === 'offline') continue;
      const releases = control.releases({ model: d.model, softwareType: 'firmware' }).filter((r) => r.verified);
      const eligibleBy = (t: number) =>
        releases.filter((r) => Math.max(r.releasedAt, start) + firmwareDelayDays[group] * day <= t).map((r) => r.version).sort((a, b) => (newer(a, b) ? 1 : -1)).at(-1);
      const atLeast = eligibleBy(end - 7 * day);
      const atMost = eligibleBy(end);
      const initial = posts.find((p) => p.deviceId === d.id && p.softwareType === 'firmware')?.fromVersion ?? fw.currentVersion;
      if (atLeast && newer(atLeast, initial)) {
        assert.ok(!newer(atLeast, fw.currentVersion), `${d.id} (${group}, ${d.model}) runs ${fw.currentVersion}, expected at least ${atLeast}`);
        checked++;
      }
      if (atMost && newer(fw.currentVersion, atMost) && newer(fw.currentVersion, initial)) {
        assert.unreachable(`${d.id} (${group}) got ${fw.currentVersion}, newer than anything eligible (${atMost})`);
      }
    }
    assert.ok(checked >= 10, `enough devices had an eligible firmware to check (${checked})`);
  } finally {
    await close();
  }
});

test('a restart that loses the controller state posts nothing twice for the operations in flight', async () => {
  const { clock, conn, makeReconciler, close } = await setup(60);
  try {
    const control = conn.emulator!.control;
    const first = makeReconciler();
    const signal = new AbortController().signal;
    // Run until the first updates are in flight (the lab's window opens Monday 4 January 09:00 Paris).
    let n = 0;
    for (;;) {
      const outcome = await first({ reconcileId: ++n, signal });
      // Stop the clock right after the first updates are posted: they are still queued.
      if (control.actionLog({ action: 'updateSoftware' }).length > 0 || clock.now() > start + 10 * day) break;
      clock.set(outcome.kind === 'waiting' ? Math.max(outcome.until, clock.now() + 60_000) : clock.now() + hour);
    }
    const before = control.actionLog({ action: 'updateSoftware' });
    assert.ok(before.length > 0, 'updates were started before the restart');
    const inFlight = new Set(before.map((p) => p.deviceId));
    // A new controller with an empty state, while those operations are still queued.
    const second = makeReconciler(new MemoryStateStore());
    await second({ reconcileId: 1, signal });
    const after = control.actionLog({ action: 'updateSoftware' });
    for (const id of inFlight) assert.is(after.filter((p) => p.deviceId === id).length, 1, `device ${id} was posted to again`);
    assert.equal(after.filter((p) => p.status === 409), []);
  } finally {
    await close();
  }
});

test.run();
