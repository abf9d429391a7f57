// The reconcile with rooms, against the emulator over loopback and a real folder: an app without
// the calendar permission is told once (a warning naming the permission, and the meeting-aware
// policy's MeetingsUnavailable condition), never crashes, and updates go on (rooms in use are
// still left alone); with the permission, the condition clears and no room starts next to a
// meeting. Facts come from the emulator's action log and calendars.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ManualClock } from '../../controller/model/clock.ts';
import { createLogger, type Logger } from '../../controller/log/logger.ts';
import { parseFleetOptions } from '../../controller/config/fleet-options.ts';
import { createFleet } from '../../controller/config/fleet-connection.ts';
import { DirSource } from '../../controller/sources/dir-source.ts';
import { parseManifestTexts } from '../../controller/manifest/parse-manifests.ts';
import { replaceStatus } from '../../controller/manifest/status-writer.ts';
import { FleetView } from '../../controller/reconcile/fleet-view.ts';
import { createReconciler } from '../../controller/reconcile/reconcile.ts';
import { createEngine } from '../../controller/reconcile/engine.ts';
import { MemoryStateStore } from '../../controller/state/memory-state-store.ts';
import { officeHoursPolicy } from '../support/office-hours-policy.ts';

const minute = 60_000;
const hour = 60 * minute;
// Monday 1 March 2027, 10:30 in New York: office hours, rooms in meetings.
const monday = Date.parse('2027-03-01T15:30:00Z');
const examples = new URL('../../examples/', import.meta.url).pathname;

const manifests = {
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
  'policies/nyc-rooms.yaml': officeHoursPolicy({ name: 'nyc-rooms', phase: 'Test', maxConcurrent: 100, meetings: {} }),
};

async function setup(calendarAccess: boolean, logger: Logger) {
  const clock = new ManualClock(monday);
  const { options } = parseFleetOptions(['--emulator', '--fleet-rate', '10000'], {});
  const conn = await createFleet(options, { logger, clock, emulator: { devices: 120, seed: 11, rateLimit: 0, failureRate: 0, calendarAccess, epoch: monday } });
  const dir = await mkdtemp(join(tmpdir(), 'fw-rooms-'));
  await cp(join(examples, 'groups'), join(dir, 'groups'), { recursive: true });
  await cp(join(examples, 'policies'), join(dir, 'policies'), { recursive: true });
  for (const [path, text] of Object.entries(manifests)) await writeFile(join(dir, path), text);
  const source = new DirSource({ dir, replaceStatus, logger });
  const reconcile = createReconciler({
    sync: (signal) => source.sync(signal),
    parse: (snapshot, now) => parseManifestTexts(snapshot.files, now),
    fleet: conn.fleet,
    fleetView: new FleetView(conn.fleet, { clock, logger }, { chunk: 5000 }),
    stateStore: new MemoryStateStore(),
    engine: createEngine(),
    statusWriter: source,
    clock,
    logger,
    isStopping: () => false,
  });
  const policyStatus = async () => (parse(await readFile(join(dir, 'policies/nyc-rooms.yaml'), 'utf8')) as { status?: { conditions?: { type: string; status: string; reason: string; message: string }[] } }).status;
  const close = async () => {
    await source.close();
    await conn.close();
    await rm(dir, { recursive: true, force: true });
  };
  return { clock, conn, reconcile, policyStatus, close };
}

test('without the calendar permission: one warning naming it, MeetingsUnavailable on the policy, updates go on, busy devices still wait', async () => {
  const lines: string[] = [];
  const logger = createLogger({ destination: { write: (s: string) => void lines.push(s) } });
  const { clock, conn, reconcile, policyStatus, close } = await setup(false, logger);
  try {
    const signal = new AbortController().signal;
    for (let n = 1; n <= 4; n++) {
      await reconcile({ reconcileId: n, signal });
      clock.set(clock.now() + 10 * minute);
    }
    const warnings = lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((r) => r.level === 40 && r.msg.includes('Calendars.ReadBasic.All'));
    assert.is(warnings.length, 1, 'warned once, not at every reconcile');
    const condition = (await policyStatus())?.conditions?.find((c) => c.type === 'MeetingsUnavailable');
    assert.is(condition?.status, 'True');
    assert.is(condition?.reason, 'PermissionMissing');
    assert.match(condition!.message, 'Calendars.ReadBasic.All');
    const control = conn.emulator!.control;
    const posts = control.actionLog({ action: 'updateSoftware' });
    assert.ok(posts.length > 0, 'updates went on without calendars');
    for (const p of posts) assert.is.not(p.activityState, 'busy', `${p.deviceId} posted while in use`);
  } finally {
    await close();
  }
});

test('with the permission: MeetingsUnavailable False, and no room starts in or within the hour before a meeting', async () => {
  const { clock, conn, reconcile, policyStatus, close } = await setup(true, createLogger({ level: 'silent' }));
  try {
    const signal = new AbortController().signal;
    // One office day, a reconcile every 10 minutes.
    for (let n = 1; clock.now() < monday + 7 * hour; n++) {
      await reconcile({ reconcileId: n, signal });
      clock.set(clock.now() + 10 * minute);
    }
    const condition = (await policyStatus())?.conditions?.find((c) => c.type === 'MeetingsUnavailable');
    assert.equal([condition?.status, condition?.reason], ['False', 'CalendarsReadable']);
    const control = conn.emulator!.control;
    const rooms = new Set(control.devices({ limit: 200 }).filter((d) => d.tags.includes('site-nyc') && !d.tags.includes('lab') && ['teamsRoom', 'collaborationBar', 'surfaceHub'].includes(d.deviceType)).map((d) => d.id));
    const posts = control.actionLog({ action: 'updateSoftware' }).filter((p) => rooms.has(p.deviceId));
    assert.ok(posts.length >= 3, `rooms were updated during the day (${posts.length})`);
    for (const p of posts) {
      assert.is.not(p.activityState, 'busy', `${p.deviceId} posted while in use`);
      const near = control.roomCalendar(p.deviceId, p.atMs - 4 * hour, p.atMs + hour).filter((b) => b.end > p.atMs && b.start < p.atMs + hour);
      assert.equal(near.length, 0, `${p.deviceId} posted at ${p.at} next to a meeting`);
    }
  } finally {
    await close();
  }
});

test.run();
