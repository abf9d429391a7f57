// Events when a condition changes: which changes count (pure), and real events.k8s.io/v1
// Events on the API server that `kubectl events` shows, with repeats folded into a series.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock, systemClock } from '../../controller/model/clock.ts';
import { silentLogger } from '../../controller/log/logger.ts';
import { changedConditions, eventNoteOf, eventTypeOf } from '../../controller/kube/condition-changes.ts';
import { KubeEventRecorder } from '../../controller/kube/event-recorder.ts';
import { KubeStatusWriter } from '../../controller/kube/status-writer.ts';
import { deviceGroups } from '../../controller/kube/resources.ts';
import type { KubeClient } from '../../controller/kube/kube-client.ts';
import type { DeviceGroup } from '../../controller/model/manifests.generated.ts';
import { startKubeEnv, type KubeEnv } from './envtest.ts';
import { clientFor, installCrds } from './clients.ts';

const at = '2026-01-05T09:00:00Z';
const cond = (type: string, status: string, reason: string, message?: string) => ({ type, status, reason, lastTransitionTime: at, ...(message ? { message } : {}) });

const pure = suite('condition changes');

pure('which conditions changed', () => {
  const cases: [string, unknown, unknown, string[]][] = [
    ['no status before: every condition is new', undefined, { conditions: [cond('Ready', 'True', 'UpToDate')] }, ['Ready:undefined->True']],
    ['a first status: Reconciling or Stalled appearing False is no news', undefined, { conditions: [cond('Ready', 'False', 'Progressing'), cond('Reconciling', 'True', 'Progressing'), cond('Stalled', 'False', 'Progressing')] }, ['Ready:undefined->False', 'Reconciling:undefined->True']],
    ['Reconciling back to False is news', { conditions: [cond('Reconciling', 'True', 'Progressing')] }, { conditions: [cond('Reconciling', 'False', 'Idle')] }, ['Reconciling:True->False']],
    ['same status and reason: nothing', { conditions: [cond('Ready', 'True', 'UpToDate')] }, { conditions: [cond('Ready', 'True', 'UpToDate', 'new words')] }, []],
    ['status flips', { conditions: [cond('Ready', 'True', 'UpToDate')] }, { conditions: [cond('Ready', 'False', 'UpdatesFailing')] }, ['Ready:True->False']],
    ['reason changes alone', { conditions: [cond('Stalled', 'True', 'Suspended')] }, { conditions: [cond('Stalled', 'True', 'FailureThreshold')] }, ['Stalled:True->True']],
    ['a condition that disappears is not an event', { conditions: [cond('Reconciling', 'True', 'Rollout')] }, { conditions: [] }, []],
    ['garbage is ignored', { conditions: 'nope' }, { conditions: [{ type: 1 }, null] }, []],
  ];
  for (const [name, before, after, expected] of cases) {
    assert.equal(changedConditions(before, after).map((c) => `${c.type}:${c.from}->${c.to}`), expected, name);
  }
});

pure('event type and note', () => {
  const change = (type: string, from: string | undefined, to: string) => ({ type, from, to, reason: 'R', fromReason: undefined, reconcilingReason: undefined, message: 'why' });
  assert.is(eventTypeOf(change('Ready', 'True', 'False')), 'Warning');
  assert.is(eventTypeOf(change('Ready', 'False', 'True')), 'Normal');
  assert.is(eventTypeOf(change('Stalled', 'False', 'True')), 'Warning');
  assert.is(eventTypeOf(change('Reconciling', undefined, 'True')), 'Normal');
  assert.is(eventNoteOf(change('Ready', undefined, 'True')), 'Ready unset -> True: why');
  assert.is(eventNoteOf({ ...change('Ready', 'True', 'False'), message: 'x'.repeat(2000) }).length, 1024);
});

// The three conditions as build-status writes them, at rest and while working.
const resting = { conditions: [cond('Ready', 'True', 'UpToDateForNow', '4 scheduled'), cond('Reconciling', 'False', 'Waiting', 'waiting'), cond('Stalled', 'False', 'Healthy', 'nothing needs a person')] };
const starting = { conditions: [cond('Ready', 'False', 'Progressing', '4 pending'), cond('Reconciling', 'True', 'Progressing', '4 updates starting or in flight'), cond('Stalled', 'False', 'Progressing', 'not stalled while updates start or run')] };
const failingInFlight = { conditions: [cond('Ready', 'False', 'UpdatesFailed', '3 inProgress, 1 failed'), cond('Reconciling', 'True', 'Progressing', '3 updates starting or in flight'), cond('Stalled', 'False', 'Progressing', 'not stalled while updates start or run')] };
const stalled = { conditions: [cond('Ready', 'False', 'UpdatesFailed', '1 update failed'), cond('Reconciling', 'False', 'UpdatesFailed', 'no update is starting or in flight'), cond('Stalled', 'True', 'UpdatesFailed', '1 update failed')] };
const events = (before: unknown, after: unknown) => changedConditions(before, after).map((c) => `${eventTypeOf(c)} ${c.reason}: ${eventNoteOf(c)}`);

pure('a rollout starting is Normal news: Ready turns False because of the work Reconciling describes', () => {
  assert.equal(events(resting, starting), [
    'Normal Progressing: Ready True -> False: 4 pending',
    'Normal Progressing: Reconciling False -> True: 4 updates starting or in flight',
  ]);
});

pure('a failure is a Warning, in flight and once it rests as Stalled', () => {
  assert.equal(events(starting, failingInFlight), ['Warning UpdatesFailed: Ready False, reason Progressing -> UpdatesFailed: 3 inProgress, 1 failed']);
  assert.equal(events(failingInFlight, stalled), [
    'Normal UpdatesFailed: Reconciling True -> False: no update is starting or in flight',
    'Warning UpdatesFailed: Stalled False -> True: 1 update failed',
  ]);
  assert.equal(events(resting, stalled).filter((e) => e.startsWith('Warning')), [
    'Warning UpdatesFailed: Ready True -> False: 1 update failed',
    'Warning UpdatesFailed: Stalled False -> True: 1 update failed',
  ]);
});

pure('no event says "False -> False": a reason change of a False Reconciling or Stalled is not news', () => {
  const notes = [
    ...events(resting, starting), ...events(starting, failingInFlight), ...events(failingInFlight, stalled), ...events(stalled, resting), ...events(starting, resting),
  ];
  for (const note of notes) assert.not.match(note, /(True -> True|False -> False)/, note);
  assert.equal(events(stalled, resting).filter((e) => e.startsWith('Warning')), []);
});

pure.run();

type Ctx = { env: KubeEnv | undefined; client: KubeClient | undefined };
const server = suite<Ctx>('events against kube-apiserver', { env: undefined, client: undefined });

server.before(async (ctx) => {
  ctx.env = await startKubeEnv();
  await installCrds(ctx.env);
  ctx.client = await clientFor(ctx.env.adminKubeconfig);
  const manifest = { apiVersion: 'firmwarden.dev/v1alpha1', kind: 'DeviceGroup', metadata: { name: 'rooms', namespace: 'default' }, spec: { selector: {} } };
  await ctx.env.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(manifest) });
});
server.after(async (ctx) => {
  ctx.client?.close();
  await ctx.env?.close();
});

interface EventList {
  items: { reason: string; type: string; note: string; series?: { count: number }; regarding: { kind: string; name: string; uid?: string }; reportingController: string }[];
}

async function eventsFor(env: KubeEnv, name: string): Promise<EventList['items']> {
  const r = await env.request('GET', `/apis/events.k8s.io/v1/namespaces/default/events?fieldSelector=regarding.name=${name}`);
  return (r.body as EventList).items;
}

server('a condition change written through the status writer becomes an Event that kubectl shows', async ({ env, client }) => {
  const clock = new ManualClock(Date.parse(at));
  const writer = new KubeStatusWriter({ client: client!, logger: silentLogger(), clock: systemClock });
  const recorder = new KubeEventRecorder({ client: client!, clock, logger: silentLogger(), controller: 'firmwarden.dev/controller', instance: 'replica-a' });

  const failing = { conditions: [cond('Ready', 'False', 'UpdatesFailing', '2 devices failed to update')] };
  const first = await writer.writeStatus<DeviceGroup>(deviceGroups, 'default', 'rooms', () => failing);
  assert.is(first.result, 'written');
  assert.is(await recorder.recordConditionChanges(deviceGroups, first.after!, first.before!.status, first.after!.status), 1);

  const events = await eventsFor(env!, 'rooms');
  assert.is(events.length, 1);
  assert.is(events[0]!.type, 'Warning');
  assert.is(events[0]!.reason, 'UpdatesFailing');
  assert.is(events[0]!.note, 'Ready unset -> False: 2 devices failed to update');
  assert.is(events[0]!.regarding.kind, 'DeviceGroup');
  assert.is(events[0]!.regarding.uid, first.after!.metadata.uid);
  assert.is(events[0]!.reportingController, 'firmwarden.dev/controller');
  const shown = await env!.kubectlOk(['events', '--for', 'devicegroup/rooms']);
  assert.match(shown, /Warning\s+UpdatesFailing\s+DeviceGroup\/rooms\s+Ready unset -> False: 2 devices failed to update/);

  // Writing the same status again changes nothing, so no event.
  const same = await writer.writeStatus<DeviceGroup>(deviceGroups, 'default', 'rooms', () => failing);
  assert.is(same.result, 'unchanged');
  assert.is(await recorder.recordConditionChanges(deviceGroups, same.after!, same.before!.status, same.after!.status), 0);

  // Recovery is a Normal event.
  const healthy = { conditions: [cond('Ready', 'True', 'UpToDate', 'all devices up to date')] };
  const second = await writer.writeStatus<DeviceGroup>(deviceGroups, 'default', 'rooms', () => healthy);
  assert.is(await recorder.recordConditionChanges(deviceGroups, second.after!, second.before!.status, second.after!.status), 1);
  const after = await eventsFor(env!, 'rooms');
  assert.equal(after.map((e) => `${e.type}/${e.reason}`).sort(), ['Normal/UpToDate', 'Warning/UpdatesFailing']);
});

server('the same event repeated within the window becomes a series on one Event object', async ({ env, client }) => {
  const clock = new ManualClock(Date.parse(at));
  const recorder = new KubeEventRecorder({ client: client!, clock, logger: silentLogger(), controller: 'firmwarden.dev/controller', instance: 'replica-a', seriesWindowMs: 60_000 });
  const group = (await env!.request('GET', '/apis/firmwarden.dev/v1alpha1/namespaces/default/devicegroups/rooms')).body as DeviceGroup;
  const spec = { type: 'Warning' as const, reason: 'GraphThrottled', action: 'ListDevices', note: 'Graph answered 429; backing off' };
  for (let i = 0; i < 3; i++) {
    assert.ok(await recorder.record(deviceGroups, group, spec));
    clock.advance(10_000);
  }
  let throttled = (await eventsFor(env!, 'rooms')).filter((e) => e.reason === 'GraphThrottled');
  assert.is(throttled.length, 1);
  assert.is(throttled[0]!.series?.count, 3);
  clock.advance(60_000);
  assert.ok(await recorder.record(deviceGroups, group, spec));
  throttled = (await eventsFor(env!, 'rooms')).filter((e) => e.reason === 'GraphThrottled');
  assert.is(throttled.length, 2, 'after the window a new Event starts');
});

server('a failure to record is logged and reported as false, never thrown', async ({ client }) => {
  const recorder = new KubeEventRecorder({ client: client!, clock: systemClock, logger: silentLogger(), controller: 'firmwarden.dev/controller', instance: 'replica-a' });
  const ghost = { metadata: { name: 'ghost', namespace: 'no-such-namespace' } };
  assert.is(await recorder.record(deviceGroups, ghost, { type: 'Normal', reason: 'Test', action: 'Test', note: 'into a namespace that does not exist' }), false);
});

server.run();
