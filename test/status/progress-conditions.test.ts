// The condition rule of groups, policies and ScheduledUpdates: counts, stops and refusals -> Ready, Reconciling, Stalled.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RolloutView } from '../../controller/model/plan.ts';
import { progressConditions, stopOf, summaryText, withSuspendedUntil } from '../../controller/status/progress-conditions.ts';
import type { Attention } from '../../controller/status/refusal-attention.ts';

const counts = (over: Partial<Record<'upToDate' | 'pending' | 'scheduled' | 'inProgress' | 'succeeded' | 'failed' | 'blocked', number>>) => ({
  upToDate: 0, pending: 0, scheduled: 0, inProgress: 0, succeeded: 0, failed: 0, blocked: 0, ...over,
});
const calm: Attention = { refused: 0, refusedText: '', leftAloneText: undefined, retry: 'a newer version is eligible' };
const refusing: Attention = { ...calm, refused: 2, refusedText: '2 updates refused: downgrade' };
const leavingAlone: Attention = { ...calm, leftAloneText: '1 update left alone on purpose' };
const next = Date.parse('2026-11-22T22:00:00Z');
const stop = { reason: 'FailureThresholdExceeded', message: 'stopped' };
/** Ready status/reason, Reconciling status/reason, Stalled status/reason. */
const shape = (c: readonly { type: string; status: string; reason: string }[]) => c.map((x) => `${x.type}=${x.status}:${x.reason}`).join(' ');

const Rule = suite('conditions from counts, stops and refusals');
for (const [name, c, nextAction, s, attention, expected] of [
  ['all up to date: Ready', counts({ upToDate: 3 }), undefined, undefined, calm, 'Ready=True:UpToDate Reconciling=False:Idle Stalled=False:Healthy'],
  ['waiting for a window: Ready for now', counts({ upToDate: 1, scheduled: 2 }), next, undefined, calm, 'Ready=True:UpToDateForNow Reconciling=False:Waiting Stalled=False:Healthy'],
  ['blocked devices wait too', counts({ blocked: 1 }), undefined, undefined, calm, 'Ready=True:UpToDateForNow Reconciling=False:Waiting Stalled=False:Healthy'],
  ['updates in flight: Reconciling', counts({ inProgress: 1, upToDate: 1 }), undefined, undefined, calm, 'Ready=False:Progressing Reconciling=True:Progressing Stalled=False:Progressing'],
  ['starting counts as in flight', counts({ pending: 1 }), undefined, undefined, calm, 'Ready=False:Progressing Reconciling=True:Progressing Stalled=False:Progressing'],
  ['a failure beside updates in flight is not stalled yet', counts({ inProgress: 1, failed: 1 }), undefined, undefined, calm, 'Ready=False:UpdatesFailed Reconciling=True:Progressing Stalled=False:Progressing'],
  ['a failure at rest: Stalled', counts({ failed: 1, upToDate: 2 }), undefined, undefined, calm, 'Ready=False:UpdatesFailed Reconciling=False:UpdatesFailed Stalled=True:UpdatesFailed'],
  ['failures before refusals', counts({ failed: 1, blocked: 2 }), undefined, undefined, refusing, 'Ready=False:UpdatesFailed Reconciling=False:UpdatesFailed Stalled=True:UpdatesFailed'],
  ['refusals a person must resolve: Stalled', counts({ blocked: 2 }), undefined, undefined, refusing, 'Ready=False:UpdatesRefused Reconciling=False:UpdatesRefused Stalled=True:UpdatesRefused'],
  ['devices left alone on purpose: still Ready', counts({ blocked: 1, upToDate: 1 }), undefined, undefined, leavingAlone, 'Ready=True:UpToDateForNow Reconciling=False:Waiting Stalled=False:Healthy'],
  ['a stop beats everything', counts({ inProgress: 1 }), undefined, stop, calm, 'Ready=False:FailureThresholdExceeded Reconciling=False:FailureThresholdExceeded Stalled=True:FailureThresholdExceeded'],
] as const) {
  Rule(name, () => assert.is(shape(progressConditions(c, nextAction, s, attention)), expected));
}
Rule('the Ready message counts the updates, names the next start and what is left alone', () => {
  const [ready] = progressConditions(counts({ upToDate: 1, blocked: 1 }), next, undefined, leavingAlone);
  assert.is(ready!.message, 'updates: 1 upToDate, 1 blocked; next start 2026-11-22T22:00:00Z; 1 update left alone on purpose');
  assert.is(summaryText(counts({}), undefined), 'no devices');
});
Rule.run();

const rollout = (state: RolloutView['state'], stoppedReason?: string): RolloutView => ({
  softwareType: 'firmware', version: '1.1', state, wave: 1, waves: 2, waveStartedTime: undefined, bakeUntil: undefined, stoppedTime: undefined, stoppedReason, completed: 1, failed: 1,
});
const Stops = suite('what stops a rollout');
for (const [name, rollouts, suspended, policy, expected] of [
  ['nothing stopped', [rollout('Progressing')], undefined, undefined, undefined],
  ['stopped by the threshold, naming the policy', [rollout('Stopped', '2 of 4 failed')], undefined, 'default/p', { reason: 'FailureThresholdExceeded', message: 'the firmware rollout of default/p stopped: 2 of 4 failed' }],
  ['stopped with no reason recorded', [rollout('Stopped')], undefined, undefined, { reason: 'FailureThresholdExceeded', message: 'the firmware rollout stopped: too many failures' }],
  ['suspended with no end', [], { by: 'ops', reason: 'audit', until: undefined }, undefined, { reason: 'Suspended', message: 'suspended by ops: audit; remove spec.suspend to go on' }],
  ['suspended with an end is a wait, not a stop', [], { by: 'ops', reason: 'audit', until: next }, undefined, undefined],
  ['a stopped rollout beats a suspension', [rollout('Stopped')], { by: 'ops', reason: 'audit', until: undefined }, undefined, { reason: 'FailureThresholdExceeded', message: 'the firmware rollout stopped: too many failures' }],
] as const) {
  Stops(name, () => assert.equal(stopOf(rollouts, suspended, policy), expected));
}
Stops('a suspension with an end turns Ready=True into Suspended and leaves other conditions alone', () => {
  const ready = progressConditions(counts({ upToDate: 1 }), undefined, undefined, calm);
  assert.is(shape(withSuspendedUntil(ready, { by: 'ops', reason: 'audit', until: next })), 'Ready=True:Suspended Reconciling=False:Idle Stalled=False:Healthy');
  assert.is(withSuspendedUntil(ready, { by: 'ops', reason: 'audit', until: next })[0]!.message, 'suspended by ops until 2026-11-22T22:00:00Z: audit');
  const failing = progressConditions(counts({ failed: 1 }), undefined, undefined, calm);
  assert.equal(withSuspendedUntil(failing, { by: 'ops', reason: 'audit', until: next }), failing);
  assert.equal(withSuspendedUntil(ready, undefined), ready);
});
Stops.run();
