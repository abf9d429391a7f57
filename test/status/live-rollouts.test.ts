// A rollout's sentence on the live page: where it stands for each state, wave, failures and bake time.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RolloutView } from '../../controller/model/plan.ts';
import { liveRollouts, rolloutText } from '../../controller/status/live-rollouts.ts';

const now = Date.parse('2026-11-21T20:00:00Z');
const bakeUntil = Date.parse('2026-11-21T22:00:00Z');
const rollout = (over: Partial<RolloutView>): RolloutView => ({
  softwareType: 'firmware', version: '1.1', state: 'Progressing', wave: 2, waves: 3, waveStartedTime: undefined,
  bakeUntil: undefined, stoppedTime: undefined, stoppedReason: undefined, completed: 4, failed: 0, ...over,
});

const Text = suite('a rollout in words');
for (const [name, r, zone, expected] of [
  ['updating in a wave', rollout({}), undefined, 'wave 2 of 3, updating'],
  ['no wave started yet', rollout({ wave: undefined, state: 'Waiting' }), undefined, "3 waves, none started, waiting for a window or the phase's delay"],
  ['one wave, none started: singular', rollout({ wave: undefined, waves: 1, state: 'Waiting' }), undefined, "1 wave, none started, waiting for a window or the phase's delay"],
  ['waiting for rooms in use: says so', rollout({ state: 'Waiting', waitingFor: 'InUse' }), undefined, 'wave 2 of 3, waiting for devices in use (a meeting or a call) to be free'],
  ['waiting for a window', rollout({ state: 'Waiting', waitingFor: 'OutsideWindow' }), undefined, 'wave 2 of 3, waiting for a maintenance window'],
  ["waiting for the phase's delay", rollout({ state: 'Waiting', waitingFor: 'Deferred' }), undefined, "wave 2 of 3, waiting for the phase's delay"],
  ['failures are counted against the finished updates', rollout({ failed: 1 }), undefined, 'wave 2 of 3, updating; 1 of 4 finished failed'],
  ['baking until a time in the zone given', rollout({ state: 'Baking', bakeUntil }), 'Europe/Paris', 'wave 2 of 3 done, baking until Sat 2026-11-21 23:00 Europe/Paris'],
  ['baking with no zone: UTC', rollout({ state: 'Baking', bakeUntil }), undefined, 'wave 2 of 3 done, baking until 2026-11-21 22:00 UTC'],
  ['baking with no end known', rollout({ state: 'Baking' }), undefined, 'wave 2 of 3 done, baking'],
  ['complete, with its failures', rollout({ state: 'Complete', wave: 3, failed: 2 }), undefined, 'complete; 2 of 4 finished failed'],
  ['stopped by the failure threshold', rollout({ state: 'Stopped', failed: 3 }), undefined, 'stopped in wave 2 of 3 by the failure threshold; 3 of 4 finished failed'],
  ['suspended: failures are not repeated', rollout({ state: 'Suspended', failed: 3 }), undefined, 'suspended in wave 2 of 3'],
] as const) {
  Text(name, () => assert.is(rolloutText(r, zone, now), expected));
}
Text.run();

const Order = suite('rollouts in order');
Order('in the order of the software types, each with its label', () => {
  const out = liveRollouts([rollout({ softwareType: 'teamsClient' }), rollout({ softwareType: 'firmware' })], undefined, now);
  assert.equal(out.map((r) => r.softwareType), ['teamsClient', 'firmware']);
  assert.ok(out.every((r) => r.software.length > 0 && r.text === 'wave 2 of 3, updating'));
});
Order.run();
