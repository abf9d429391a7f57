// The live view's model: device states, progress per group and policy, windows in local time,
// stops with who/why/until, failing and refused devices by name, the forecast timeline.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { PlanEntry } from '../../controller/model/plan.ts';
import type { UpdatePolicySpec } from '../../controller/model/manifests.generated.ts';
import { forecastTimeline } from '../../controller/status/forecast-timeline.ts';
import { liveEntryState } from '../../controller/status/live-state.ts';
import { buildLiveView, liveDeviceName, type LiveViewInput } from '../../controller/status/live-view.ts';
import { forecast } from '../../controller/plan/forecast.ts';
import { at, day, device, group, hour, op, plan, policy, release, scheduled, software, type Scenario } from '../plan/fixtures.ts';

const releases = [release('Bar', 'firmware', '1.1', at('2026-10-01T00:00:00Z'))];
const nights: UpdatePolicySpec = { maintenanceWindows: [{ name: 'nights', days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'], start: '22:00', end: '05:00' }] };

function scenario(now: number, spec: UpdatePolicySpec = nights, extra: Partial<Scenario> = {}): Scenario {
  const devices = ['d1', 'd2', 'd3', 'd4', 'd5'].map((id) => device(id, { tags: ['site-paris'], currentUserName: `Room ${id}` }));
  return {
    now,
    groups: [group('paris', { policyRef: { name: 'p' }, selector: { tags: ['site-paris'] }, timeZone: 'Europe/Paris' })],
    policies: [policy('p', spec)],
    devices,
    // d5 has not been read yet: no software.
    software: ['d1', 'd2', 'd3', 'd4'].map((id) => software(id, { firmware: id === 'd4' ? ['1.1', null] : ['1.0', '1.1'] })),
    releases,
    ...extra,
  };
}

function viewOf(s: Scenario, extra: Partial<LiveViewInput> = {}) {
  const p = plan(s);
  const names = new Map(s.devices.map((d) => [d.id, d.currentUserName ?? d.id]));
  return buildLiveView({ plan: p, statuses: [], policies: s.policies ?? [], label: (id) => names.get(id) ?? id, revision: 'abc123', forecast: undefined, ...extra });
}

const entry = (state: PlanEntry['state'], code: PlanEntry['reason']['code'], refused?: PlanEntry['refused']): PlanEntry => ({
  softwareType: 'firmware', scheduledUpdate: undefined, state, currentVersion: '1.0', desiredVersion: '1.1', earliestStart: undefined,
  rule: { code: 'FirmwarePhase', text: '' }, reason: { code, message: '' }, clamp: undefined, failure: undefined, refused,
});

const States = suite('a plan entry as the page counts it');
for (const [name, e, expected] of [
  ['up to date', entry('upToDate', 'UpToDate'), 'upToDate'],
  ['updated by this rollout: up to date', entry('succeeded', 'Succeeded'), 'upToDate'],
  ['waiting for its window', entry('scheduled', 'OutsideWindow'), 'waiting'],
  ['about to start: waiting', entry('pending', 'Starting'), 'waiting'],
  ['in progress', entry('inProgress', 'InProgress'), 'inProgress'],
  ['failed', entry('failed', 'Failed'), 'failed'],
  ['a downgrade refused', entry('blocked', 'Downgrade'), 'refused'],
  ['unknown firmware: refused (left alone on purpose)', entry('blocked', 'UnknownFirmware'), 'refused'],
  ['suspended: blocked', entry('blocked', 'Suspended'), 'blocked'],
  ['offline: blocked', entry('blocked', 'DeviceOffline'), 'blocked'],
  ['up to date, but a ScheduledUpdate beside it was refused', entry('upToDate', 'UpToDate', [{ scheduledUpdate: 'default/s', version: '0.9', reason: { code: 'Downgrade', message: '' } }]), 'refused'],
] as const) {
  States(name, () => assert.is(liveEntryState(e), expected));
}
States.run();

const Progress = suite('progress in devices');
Progress('a group and its policy count devices: failed, in progress, waiting, up to date and not read yet', () => {
  // Saturday 23:00 in Paris: the nights window is open.
  const now = at('2026-11-21T22:00:00Z');
  const v = viewOf(scenario(now, { ...nights, rollout: { maxConcurrent: 1 } }, {
    operations: [
      op('d1', 'firmware', '1.1', { startedAt: now - 3 * hour, endedAt: now - 2 * hour, outcome: 'failed', errorCode: 'InstallFailed', errorMessage: 'disk full' }),
      op('d2', 'firmware', '1.1', { active: true, startedAt: now - hour }),
    ],
  }));
  const expected = { failed: 1, refused: 0, inProgress: 1, blocked: 0, waiting: 1, upToDate: 1, notRead: 1 };
  assert.is(v.groups.length, 1);
  assert.is(v.groups[0]!.name, 'paris');
  assert.is(v.groups[0]!.policy, 'p');
  assert.is(v.groups[0]!.devices, 5);
  assert.equal(v.groups[0]!.tally, expected);
  assert.equal(v.policies[0]!.tally, expected);
  assert.equal(v.tally, expected);
  assert.is(v.devices, 5);
  assert.is(v.revision, 'abc123');
  assert.equal(v.problems.map((p) => [p.state, p.device, p.group, p.software, p.version, p.code, p.reason]), [
    ['failed', 'Room d1', 'paris', 'firmware', '1.1', 'InstallFailed', 'InstallFailed: disk full'],
  ]);
  assert.is(v.problems[0]!.time?.local, 'Sat 2026-11-21 21:00 Europe/Paris');
  assert.is(v.problems[0]!.time?.relative, '2 h ago');
  assert.is(v.moreProblems, 0);
});

Progress('refusals are listed by name with their reason, after failures; the list is bounded', () => {
  const now = at('2026-11-21T22:00:00Z');
  const s = scenario(now, nights, {
    software: ['d1', 'd2', 'd3', 'd4'].map((id) => software(id, { firmware: ['1.0', '1.1'] })),
    scheduledUpdates: [
      scheduled('downgrade', { targets: { deviceIds: ['d3', 'd4'] }, software: [{ type: 'firmware', version: '0.9' }] }),
      // d1 reports no Teams app: targeted, but waiting for nothing.
      scheduled('teams', { targets: { deviceIds: ['d1'] }, software: [{ type: 'teamsClient', version: 'latest' }] }),
    ],
    operations: [op('d1', 'firmware', '1.1', { startedAt: now - 3 * hour, endedAt: now - 2 * hour, outcome: 'failed', errorCode: 'E1' })],
    releases: [...releases, release('Bar', 'firmware', '0.9', at('2026-01-01T00:00:00Z'))],
  });
  const v = viewOf(s, { maxProblems: 2 });
  assert.equal(v.problems.map((p) => [p.state, p.device, p.scheduledUpdate, p.code]), [
    ['failed', 'Room d1', undefined, 'E1'],
    ['refused', 'Room d3', 'downgrade', 'Downgrade'],
  ]);
  assert.is(v.moreProblems, 1);
  assert.is(v.groups[0]!.tally.refused, 2);
  assert.is(v.scheduledUpdates[0]!.name, 'downgrade');
  assert.is(v.scheduledUpdates[0]!.devices, 2);
  assert.is(v.scheduledUpdates[0]!.tally.refused, 2);
  assert.equal([v.scheduledUpdates[1]!.name, v.scheduledUpdates[1]!.devices, Object.values(v.scheduledUpdates[1]!.tally).every((n) => n === 0)], ['teams', 1, true]);
});

Progress('hostile values: markup stays literal text, control and bidi characters become visible escapes', () => {
  const now = at('2026-11-21T22:00:00Z');
  const hostile = '<script>alert(1)</script>\u202e"&\nforged line';
  const v = viewOf(scenario(now, nights, { operations: [op('d1', 'firmware', '1.1', { startedAt: now - 3 * hour, endedAt: now - 2 * hour, outcome: 'failed', errorMessage: 'bad\u0007' })] }), {
    label: (id) => (id === 'd1' ? hostile : id),
  });
  assert.is(v.problems[0]!.device, '<script>alert(1)</script>\\u202e"&\\nforged line');
  assert.is(v.problems[0]!.reason, 'bad\\x07');
  // Nothing anywhere in the view still holds a raw control or bidi character.
  const texts: string[] = [];
  JSON.stringify(v, (_, x: unknown) => (typeof x === 'string' && texts.push(x), x));
  assert.ok(texts.length > 20);
  assert.equal(texts.filter((t) => /[\u0000-\u001f\u202a-\u202e\u2066-\u2069]/.test(t)), []);
});

Progress('problems are counted by state and code, failures first', () => {
  const now = at('2026-11-21T22:00:00Z');
  const failed = (id: string, code: string) => op(id, 'firmware', '1.1', { startedAt: now - 3 * hour, endedAt: now - 2 * hour, outcome: 'failed', errorCode: code });
  const v = viewOf(scenario(now, nights, {
    software: ['d1', 'd2', 'd3', 'd4'].map((id) => software(id, { firmware: id === 'd4' ? ['9.9', null, 'unknown'] : ['1.0', '1.1'] })),
    operations: [failed('d1', 'DownloadFailed'), failed('d2', 'InstallFailed'), failed('d3', 'DownloadFailed')],
  }));
  assert.equal(v.problemKinds, [
    { state: 'failed', code: 'DownloadFailed', updates: 2 },
    { state: 'failed', code: 'InstallFailed', updates: 1 },
    { state: 'refused', code: 'UnknownFirmware', updates: 1 },
  ]);
});

const Names = suite('a device as the page names it');
for (const [name, d, expected] of [
  ['its display name and asset tag', { currentUserName: 'Room 4.12 Paris', companyAssetTag: 'IT-00042' }, 'Room 4.12 Paris (IT-00042)'],
  ['no display name: the hardware id', { currentUserName: ' ', uniqueId: 'UQ-7' }, 'UQ-7'],
  ['nothing but a serial number', { uniqueId: '', serialNumber: 'SN-9' }, 'SN-9'],
  ['a device the fleet does not know: its id', undefined, 'id-1'],
] as const) {
  Names(name, () => assert.is(liveDeviceName('id-1', d === undefined ? undefined : { id: 'id-1', uniqueId: '', serialNumber: '', companyAssetTag: null, ...d }), expected));
}

const Windows = suite('windows in the group\'s local time');
Windows('outside a window: no current window, the next one in Paris time', () => {
  const v = viewOf(scenario(at('2026-11-21T12:00:00Z')));
  assert.is(v.groups[0]!.currentWindow, undefined);
  assert.is(v.groups[0]!.nextWindow?.name, 'nights');
  assert.is(v.groups[0]!.nextWindow?.start.local, 'Sat 2026-11-21 22:00 Europe/Paris');
  assert.is(v.groups[0]!.nextWindow?.end.local, 'Sun 2026-11-22 05:00 Europe/Paris');
  assert.is(v.groups[0]!.nextWindow?.start.relative, 'in 9 h');
  assert.is(v.now.local, '2026-11-21 12:00 UTC');
});
Windows('inside a window: the current one with its end, and the one after it', () => {
  const v = viewOf(scenario(at('2026-11-21T22:00:00Z')));
  assert.is(v.groups[0]!.currentWindow?.open, true);
  assert.is(v.groups[0]!.currentWindow?.start.local, 'Sat 2026-11-21 22:00 Europe/Paris');
  assert.is(v.groups[0]!.currentWindow?.end.local, 'Sun 2026-11-22 05:00 Europe/Paris');
  assert.is(v.groups[0]!.nextWindow?.start.local, 'Sun 2026-11-22 22:00 Europe/Paris');
});
Windows('the next window across the change to summer time keeps local 22:00', () => {
  // Saturday 28 March 2026, 23:00 in Paris (CET); the clocks go forward that night.
  const v = viewOf(scenario(at('2026-03-28T22:00:00Z')));
  assert.is(v.groups[0]!.currentWindow?.end.local, 'Sun 2026-03-29 05:00 Europe/Paris');
  assert.is(v.groups[0]!.currentWindow?.end.at, '2026-03-29T03:00:00.000Z');
  assert.is(v.groups[0]!.nextWindow?.start.at, '2026-03-29T20:00:00.000Z');
});

const Stops = suite('suspended and stopped rollouts');
Stops('a suspension names who, why and until when', () => {
  const now = at('2026-11-21T22:00:00Z');
  const v = viewOf(scenario(now, { ...nights, suspend: { by: 'ana@example.com', reason: 'incident 4711', until: '2026-11-23T08:00:00Z' } }));
  assert.equal(v.stops.map((s) => [s.kind, s.policy, s.by, s.reason, s.until?.local, s.until?.relative, s.untilText]), [
    ['suspended', 'p', 'ana@example.com', 'incident 4711', '2026-11-23 08:00 UTC', 'in 34 h', 'then it goes on by itself'],
  ]);
  assert.is(v.policies[0]!.suspended?.by, 'ana@example.com');
});
Stops('a suspension without an end waits for a person', () => {
  const v = viewOf(scenario(at('2026-11-21T22:00:00Z'), { ...nights, suspend: { by: 'ana', reason: 'audit' } }));
  assert.is(v.stops[0]!.until, undefined);
  assert.is(v.stops[0]!.untilText, 'until spec.suspend is removed');
  assert.ok(v.groups[0]!.tally.blocked >= 1);
});
Stops('a rollout the failure threshold stopped: by the threshold, since when, until resumed', () => {
  const now = at('2026-11-21T22:00:00Z');
  const v = viewOf(scenario(now, nights, { rollouts: { 'default/p|firmware': { stoppedAt: now - 5 * hour, reason: '2 of 4 finished updates failed (50%)' } } }));
  assert.equal(v.stops.map((s) => [s.kind, s.policy, s.softwareType, s.by, s.reason, s.since?.relative, s.untilText]), [
    ['stopped', 'p', 'firmware', 'the failure threshold', '2 of 4 finished updates failed (50%)', '5 h ago', 'until a person sets spec.resume.after'],
  ]);
  assert.is(v.policies[0]!.rollouts[0]!.state, 'Stopped');
});

const Conditions = suite('conditions from the statuses of the same reconcile');
Conditions('each group and policy shows its Ready and Stalled conditions as the status says them', () => {
  const v = viewOf(scenario(at('2026-11-21T12:00:00Z')), {
    statuses: [
      { key: { kind: 'DeviceGroup', name: 'paris' }, status: { devices: 5, conditions: [{ type: 'Ready', status: 'False', reason: 'Waiting', message: 'updates: 1 up to date, 2 scheduled' }, { type: 'Stalled', status: 'False', reason: 'Healthy', message: 'nothing needs a person' }] } },
      { key: { kind: 'UpdatePolicy', name: 'p' }, status: { conditions: [{ type: 'Stalled', status: 'True', reason: 'UpdatesFailed', message: '1 update failed' }] } },
      { key: { kind: 'DeviceGroup', name: 'paris', namespace: 'other' }, status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Nope', message: 'another namespace' }] } },
    ],
  });
  assert.equal(v.groups[0]!.conditions.ready, { status: 'False', reason: 'Waiting', message: 'updates: 1 up to date, 2 scheduled' });
  assert.is(v.policies[0]!.conditions.stalled?.reason, 'UpdatesFailed');
  assert.is(v.policies[0]!.conditions.ready, undefined);
});

const Timeline = suite('the forecast timeline');
Timeline('updates that start together are one batch, with the first names; days are the group\'s local dates', () => {
  const now = at('2026-11-21T12:00:00Z');
  // One wave (the default waves would start one device first): the batches come from maxConcurrent.
  const s = scenario(now, { ...nights, rollout: { waves: [{ percent: 100 }], maxConcurrent: 2 } });
  const input = { now, groups: s.groups!, policies: s.policies!, scheduledUpdates: [], devices: s.devices, software: new Map(s.software.map((x) => [x.deviceId, x])), operations: [], releases: s.releases! };
  const f = forecast(input, { days: 30 });
  // d1..d3 need 1.1; two start at 22:00 Paris, the third when one has finished, 30 minutes later.
  const t = forecastTimeline(f, () => 'Europe/Paris', (id) => `Room ${id}`, { namesPerBatch: 1 });
  assert.equal(t.batches.map((b) => [new Date(b.time).toISOString(), b.group, b.version, b.devices, b.names.length]), [
    ['2026-11-21T21:00:00.000Z', 'default/paris', '1.1', 2, 1],
    ['2026-11-21T21:30:00.000Z', 'default/paris', '1.1', 1, 1],
  ]);
  // Names as admins know them, each device once.
  const named = t.batches.flatMap((b) => b.names);
  assert.ok(named.every((n) => ['Room d1', 'Room d2', 'Room d3'].includes(n)) && new Set(named).size === 2, named.join());
  assert.equal(t.days, [{ group: 'default/paris', timeZone: 'Europe/Paris', date: '2026-11-21', updates: 3 }]);
  assert.is(t.updates, 3);

  const v = viewOf(s, { forecast: t });
  // Columns from today to the horizon, 30 days on.
  assert.is(v.forecast?.dates.length, 31);
  assert.equal([v.forecast?.dates[0], v.forecast?.dates.at(-1)], ['2026-11-21', '2026-12-21']);
  assert.equal(v.forecast?.rows.map((r) => [r.group, r.timeZone, r.updates[0], r.updates.slice(1).every((n) => n === 0)]), [['paris', 'Europe/Paris', 3, true]]);
  assert.is(v.forecast?.batches[0]!.time.local, 'Sat 2026-11-21 22:00 Europe/Paris');
  assert.is(v.forecast?.batches[0]!.group, 'paris');

  // Seen an hour later, the batch that started at 22:00 is history; the grid keeps today.
  const later = viewOf(scenario(at('2026-11-21T21:15:00Z'), { ...nights, rollout: { waves: [{ percent: 100 }], maxConcurrent: 2 } }), { forecast: t });
  assert.equal(later.forecast?.batches.map((b) => b.time.local), ['Sat 2026-11-21 22:30 Europe/Paris']);
});
Timeline('a bounded number of batches; quiet days are columns too', () => {
  const day0 = at('2026-11-21T21:00:00Z');
  const action = (deviceId: string, group: string) => ({
    deviceId, softwareType: 'firmware' as const, version: '1.1', currentVersion: '1.0', owner: 'default/UpdatePolicy/p', group, policy: 'default/p',
    scheduledUpdate: undefined, earliestStart: 0, rule: { code: 'FirmwarePhase' as const, text: '' }, reason: { code: 'Starting' as const, message: '' }, wave: 1,
  });
  const events = [
    { time: day0, action: action('a', 'default/paris') },
    { time: day0 + 3 * day, action: action('b', 'default/paris') },
    { time: day0 + 3 * day + hour, action: action('c', 'default/nyc') },
  ];
  const zones: Record<string, string> = { 'default/paris': 'Europe/Paris', 'default/nyc': 'America/New_York' };
  const t = forecastTimeline({ from: day0, to: day0 + 3 * day, truncated: false, events }, (g) => zones[g!]!, (id) => id, { maxBatches: 2 });
  assert.is(t.batches.length, 2);
  assert.is(t.more, 1);
  const v = viewOf(scenario(day0 - hour), { forecast: t });
  assert.equal(v.forecast?.dates, ['2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24']);
  assert.equal(v.forecast?.rows, [
    { group: 'nyc', timeZone: 'America/New_York', updates: [0, 0, 0, 1] },
    { group: 'paris', timeZone: 'Europe/Paris', updates: [1, 0, 0, 1] },
  ]);
});
Timeline('no forecast yet: the view says so by its absence', () => {
  assert.is(viewOf(scenario(at('2026-11-21T12:00:00Z'))).forecast, undefined);
});

Progress.run();
Names.run();
Windows.run();
Stops.run();
Conditions.run();
Timeline.run();
