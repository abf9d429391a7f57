// The conditions contract, state by state: where a manifest rests once the controller has done
// what it can (and the two states that are not rest: updates in flight). At rest a manifest is
// either Ready=True, or Stalled=True with Ready=False carrying the same reason; Reconciling is
// True only while updates are starting or in flight. The second suite reads each state the way
// kstatus (Flux's health checks) does: Current or Failed at rest, never Current with a failure.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AnyStatus, StatusSubject } from '../../controller/status/status-subject.ts';
import { buildStatuses, statusKey } from '../../controller/status/build-status.ts';
import { at, day, device, group, hour, op, plan, policy, release, scheduled, software, type Scenario } from '../plan/fixtures.ts';
import { kstatusOf, type KstatusStatus } from './kstatus.ts';

// A Tuesday at noon: the default windows (weeknights from 20:00, weekends) are closed.
const tuesday = at('2026-11-24T12:00:00Z');
// A Saturday at noon: the default weekend window is open.
const saturday = at('2026-11-21T12:00:00Z');

type Kind = 'DeviceGroup' | 'UpdatePolicy' | 'ScheduledUpdate';
interface Expected {
  readonly ready: [status: 'True' | 'False', reason: string];
  readonly reconciling: [status: 'True' | 'False', reason: string];
  readonly stalled: [status: 'True' | 'False', reason: string];
  readonly kstatus: KstatusStatus;
  /** What the Ready condition's message must say (how many, why). */
  readonly message?: RegExp;
  /** status.refused, when given (undefined: no refusal counted). */
  readonly refused?: Record<string, number> | undefined;
}
interface Case {
  readonly name: string;
  /** Which manifest's status the case is about. */
  readonly subject: `${Kind}/${string}`;
  readonly scenario: () => Scenario;
  readonly invalid?: boolean;
  readonly expected: Expected;
}

/** Four Paris devices on firmware `current`, offered 1.2; 1.1 is 40 days old (eligible), 1.2 is 10 days old (not yet). */
function paris(now: number, current: string, policySpec: Parameters<typeof policy>[1] = {}, extra: Partial<Scenario> = {}): Scenario {
  const devices = Array.from({ length: 4 }, (_, i) => device(`d${i + 1}`, { tags: ['site-paris'] }));
  return {
    now,
    groups: [group('paris', { policyRef: { name: 'p' }, selector: { tags: ['site-paris'] }, timeZone: 'Europe/Paris' })],
    policies: [policy('p', policySpec)],
    devices,
    software: devices.map((d) => software(d.id, { firmware: [current, '1.2'] })),
    releases: [release('Bar', 'firmware', '1.1', now - 40 * day), release('Bar', 'firmware', '1.2', now - 10 * day)],
    ...extra,
  };
}

const ended = (deviceId: string, outcome: 'succeeded' | 'failed', now: number, owner?: string) =>
  op(deviceId, 'firmware', '1.1', { outcome, startedAt: now - 3 * hour, endedAt: now - 2 * hour, errorCode: outcome === 'failed' ? 'E42' : undefined, ...(owner ? { owner } : {}) });

/** A ScheduledUpdate of firmware 1.1 on the Paris group, for people who do not wait for the phase. */
const fw = (version: string) => scheduled('fw', { targets: { groupRef: { name: 'paris' } }, software: [{ type: 'firmware', version }], respectMaintenanceWindows: false });
const suOwner = 'default/ScheduledUpdate/fw';

const T = 'True' as const;
const F = 'False' as const;

export const restingCases: readonly Case[] = [
  {
    name: 'a rollout complete with every device updated is Ready',
    subject: 'UpdatePolicy/p',
    scenario: () => {
      const s = paris(tuesday, '1.0');
      return { ...s, operations: s.devices.map((d) => ended(d.id, 'succeeded', tuesday)) };
    },
    expected: { ready: [T, 'UpToDate'], reconciling: [F, 'Idle'], stalled: [F, 'Healthy'], kstatus: 'Current' },
  },
  {
    name: 'a rollout complete with failed updates is Stalled: failures are not retried until a person acts',
    subject: 'UpdatePolicy/p',
    scenario: () => {
      const s = paris(tuesday, '1.0');
      return { ...s, operations: s.devices.map((d, i) => ended(d.id, i < 3 ? 'succeeded' : 'failed', tuesday)) };
    },
    expected: { ready: [F, 'UpdatesFailed'], reconciling: [F, 'UpdatesFailed'], stalled: [T, 'UpdatesFailed'], kstatus: 'Failed' },
  },
  {
    name: 'the group of that rollout is Stalled the same way',
    subject: 'DeviceGroup/paris',
    scenario: () => {
      const s = paris(tuesday, '1.0');
      return { ...s, operations: s.devices.map((d, i) => ended(d.id, i < 3 ? 'succeeded' : 'failed', tuesday)) };
    },
    expected: { ready: [F, 'UpdatesFailed'], reconciling: [F, 'UpdatesFailed'], stalled: [T, 'UpdatesFailed'], kstatus: 'Failed' },
  },
  {
    name: 'failed updates while the rest waits for next week\'s window: Stalled, the failures need a person now',
    subject: 'UpdatePolicy/p',
    scenario: () => {
      const s = paris(tuesday, '1.0');
      return { ...s, operations: [ended('d1', 'failed', tuesday)] };
    },
    expected: { ready: [F, 'UpdatesFailed'], reconciling: [F, 'UpdatesFailed'], stalled: [T, 'UpdatesFailed'], kstatus: 'Failed' },
  },
  {
    name: 'a rollout stopped by its failure threshold is Stalled with FailureThresholdExceeded',
    subject: 'UpdatePolicy/p',
    scenario: () => paris(saturday, '1.0', { rollout: { failureThreshold: { percent: 10, minCompleted: 2 } } }, { operations: [ended('d1', 'failed', saturday), ended('d2', 'failed', saturday)] }),
    expected: { ready: [F, 'FailureThresholdExceeded'], reconciling: [F, 'FailureThresholdExceeded'], stalled: [T, 'FailureThresholdExceeded'], kstatus: 'Failed' },
  },
  {
    name: 'a ScheduledUpdate completed without failures is Ready',
    subject: 'ScheduledUpdate/fw',
    scenario: () => {
      const s = paris(tuesday, '1.0', { software: { firmware: { mode: 'manual' } } }, { scheduledUpdates: [fw('1.1')] });
      return { ...s, operations: s.devices.map((d) => ended(d.id, 'succeeded', tuesday, suOwner)) };
    },
    expected: { ready: [T, 'Completed'], reconciling: [F, 'Completed'], stalled: [F, 'Healthy'], kstatus: 'Current' },
  },
  {
    name: 'a ScheduledUpdate completed with failures is Stalled: it never retries',
    subject: 'ScheduledUpdate/fw',
    scenario: () => {
      const s = paris(tuesday, '1.0', { software: { firmware: { mode: 'manual' } } }, { scheduledUpdates: [fw('1.1')] });
      return { ...s, operations: s.devices.map((d, i) => ended(d.id, i === 0 ? 'failed' : 'succeeded', tuesday, suOwner)) };
    },
    expected: { ready: [F, 'UpdatesFailed'], reconciling: [F, 'UpdatesFailed'], stalled: [T, 'UpdatesFailed'], kstatus: 'Failed' },
  },
  {
    name: 'a ScheduledUpdate whose every update is refused (a downgrade) is Stalled, not Completed',
    subject: 'ScheduledUpdate/fw',
    scenario: () => paris(tuesday, '1.2', { software: { firmware: { mode: 'manual' } } }, { scheduledUpdates: [fw('1.1')] }),
    expected: { ready: [F, 'UpdatesRefused'], reconciling: [F, 'UpdatesRefused'], stalled: [T, 'UpdatesRefused'], kstatus: 'Failed', message: /^all 4 targets refused: 4 run a newer version than 1\.1 \(downgrade\); nothing was started for them, change or delete the ScheduledUpdate/ },
  },
  {
    name: 'a ScheduledUpdate refused for versions that cannot be compared is Stalled and says so',
    subject: 'ScheduledUpdate/fw',
    scenario: () => paris(tuesday, '1.2-beta', { software: { firmware: { mode: 'manual' } } }, { scheduledUpdates: [fw('1.3')] }),
    expected: { ready: [F, 'UpdatesRefused'], reconciling: [F, 'UpdatesRefused'], stalled: [T, 'UpdatesRefused'], kstatus: 'Failed', message: /^all 4 targets refused: 4 versions not comparable;/ },
  },
  {
    name: 'a ScheduledUpdate on devices that do not report their version is Stalled and says so',
    subject: 'ScheduledUpdate/fw',
    scenario: () => {
      const s = paris(tuesday, '1.0', { software: { firmware: { mode: 'manual' } } }, { scheduledUpdates: [fw('1.2')] });
      return { ...s, software: s.devices.map((d) => software(d.id, { firmware: [null, '1.2'] })) };
    },
    expected: { ready: [F, 'UpdatesRefused'], reconciling: [F, 'UpdatesRefused'], stalled: [T, 'UpdatesRefused'], kstatus: 'Failed', message: /^all 4 targets refused: 4 do not report their version;/ },
  },
  {
    name: 'a ScheduledUpdate that could do nothing for any target counts each reason',
    subject: 'ScheduledUpdate/fw',
    scenario: () => {
      const s = paris(tuesday, '1.2', { software: { firmware: { mode: 'manual' } } }, { scheduledUpdates: [fw('1.1')] });
      const firmware: [string | null, string][] = [['1.2', '1.2'], ['1.3', '1.3'], ['1.2-beta', '1.2'], [null, '1.2']];
      return { ...s, software: s.devices.map((d, i) => software(d.id, { firmware: firmware[i]! })) };
    },
    expected: {
      ready: [F, 'UpdatesRefused'], reconciling: [F, 'UpdatesRefused'], stalled: [T, 'UpdatesRefused'], kstatus: 'Failed',
      message: /^all 4 targets refused: 2 run a newer version than 1\.1 \(downgrade\), 1 version not comparable, 1 does not report its version;/,
      refused: { notComparable: 1, downgrade: 2, unknownVersion: 1 },
    },
  },
  {
    name: 'a ScheduledUpdate refused while the automatic rule plans its own update of the same devices is Stalled all the same',
    subject: 'ScheduledUpdate/fw',
    scenario: () => paris(tuesday, '1.1', {}, { scheduledUpdates: [fw('1.0')] }),
    expected: { ready: [F, 'UpdatesRefused'], reconciling: [F, 'UpdatesRefused'], stalled: [T, 'UpdatesRefused'], kstatus: 'Failed', message: /^all 4 targets refused: 4 run a newer version than 1\.0 \(downgrade\)/, refused: { downgrade: 4 } },
  },
  {
    name: 'the policy of those devices is not stalled by the ScheduledUpdate\'s refusal: it is the ScheduledUpdate\'s to resolve',
    subject: 'UpdatePolicy/p',
    scenario: () => paris(tuesday, '1.1', {}, { scheduledUpdates: [fw('1.0')] }),
    expected: { ready: [T, 'UpToDateForNow'], reconciling: [F, 'Waiting'], stalled: [F, 'Healthy'], kstatus: 'Current', refused: undefined },
  },
  {
    name: 'nor is a group whose manual firmware only the refused ScheduledUpdate wanted to change',
    subject: 'DeviceGroup/paris',
    scenario: () => paris(tuesday, '1.2', { software: { firmware: { mode: 'manual' } } }, { scheduledUpdates: [fw('1.1')] }),
    expected: { ready: [T, 'UpToDateForNow'], reconciling: [F, 'Waiting'], stalled: [F, 'Healthy'], kstatus: 'Current' },
  },
  {
    name: 'a ScheduledUpdate done for three targets and refused for one is Stalled, naming the one',
    subject: 'ScheduledUpdate/fw',
    scenario: () => {
      const s = paris(tuesday, '1.0', { software: { firmware: { mode: 'manual' } } }, { scheduledUpdates: [fw('1.1')] });
      return {
        ...s,
        software: s.devices.map((d, i) => software(d.id, { firmware: [i === 0 ? '1.2' : '1.0', '1.2'] })),
        operations: s.devices.slice(1).map((d) => ended(d.id, 'succeeded', tuesday, suOwner)),
      };
    },
    expected: { ready: [F, 'UpdatesRefused'], reconciling: [F, 'UpdatesRefused'], stalled: [T, 'UpdatesRefused'], kstatus: 'Failed', message: /^1 of 4 targets refused: 1 runs a newer version than 1\.1 \(downgrade\); nothing was started for it/ },
  },
  {
    name: 'a policy whose devices all run unknown firmware is Ready for now: left alone on purpose, counted in the message',
    subject: 'UpdatePolicy/p',
    scenario: () => {
      const s = paris(tuesday, '1.0');
      return { ...s, software: s.devices.map((d) => software(d.id, { firmware: ['0.9', null, 'unknown'] })) };
    },
    expected: { ready: [T, 'UpToDateForNow'], reconciling: [F, 'Waiting'], stalled: [F, 'Healthy'], kstatus: 'Current', message: /; 4 updates left alone on purpose: 4 run unknown \(unverified\) firmware; only a ScheduledUpdate/, refused: { unknownFirmware: 4 } },
  },
  {
    name: 'one device on unknown firmware beside a finished rollout leaves its group Ready, so Flux wait does not fail it forever',
    subject: 'DeviceGroup/paris',
    scenario: () => {
      const s = paris(tuesday, '1.0');
      return {
        ...s,
        software: s.devices.map((d, i) => software(d.id, { firmware: i === 0 ? ['0.9', null, 'unknown'] : ['1.0', '1.2'] })),
        operations: s.devices.slice(1).map((d) => ended(d.id, 'succeeded', tuesday)),
      };
    },
    expected: { ready: [T, 'UpToDateForNow'], reconciling: [F, 'Waiting'], stalled: [F, 'Healthy'], kstatus: 'Current', message: /; 1 update left alone on purpose: 1 runs unknown \(unverified\) firmware;/, refused: { unknownFirmware: 1 } },
  },
  {
    name: 'a device whose installed version cannot be ordered is left alone too: Ready',
    subject: 'UpdatePolicy/p',
    scenario: () => {
      const s = paris(tuesday, '1.0');
      return { ...s, software: s.devices.map((d, i) => software(d.id, { firmware: i === 0 ? ['1.0-beta', '1.2'] : ['1.2', '1.2'] })) };
    },
    expected: { ready: [T, 'UpToDateForNow'], reconciling: [F, 'Waiting'], stalled: [F, 'Healthy'], kstatus: 'Current', message: /; 1 update left alone on purpose: 1 version not comparable;/ },
  },
  {
    name: 'a policy whose maximum is older than its devices run asks for a downgrade: Stalled, a person must change the policy',
    subject: 'UpdatePolicy/p',
    scenario: () => paris(tuesday, '1.2', { software: { firmware: { versions: { maximum: '1.1' } } } }),
    expected: { ready: [F, 'UpdatesRefused'], reconciling: [F, 'UpdatesRefused'], stalled: [T, 'UpdatesRefused'], kstatus: 'Failed', message: /^4 updates refused: 4 run a newer version than 1\.1 \(downgrade\); firmwarden never downgrades, so raise or remove the policy's versions\.maximum/, refused: { downgrade: 4 } },
  },
  {
    name: 'and so is its group',
    subject: 'DeviceGroup/paris',
    scenario: () => paris(tuesday, '1.2', { software: { firmware: { versions: { maximum: '1.1' } } } }),
    expected: { ready: [F, 'UpdatesRefused'], reconciling: [F, 'UpdatesRefused'], stalled: [T, 'UpdatesRefused'], kstatus: 'Failed' },
  },
  {
    name: 'an invalid manifest is Stalled with InvalidManifest',
    subject: 'UpdatePolicy/p',
    invalid: true,
    scenario: () => paris(tuesday, '1.0'),
    expected: { ready: [F, 'InvalidManifest'], reconciling: [F, 'InvalidManifest'], stalled: [T, 'InvalidManifest'], kstatus: 'Failed' },
  },
  {
    name: 'a rollout waiting for next week\'s window is Ready for now, not Reconciling',
    subject: 'UpdatePolicy/p',
    scenario: () => paris(tuesday, '1.0'),
    expected: { ready: [T, 'UpToDateForNow'], reconciling: [F, 'Waiting'], stalled: [F, 'Healthy'], kstatus: 'Current' },
  },
  {
    name: 'a policy suspended until a time is Ready with reason Suspended: it goes on by itself',
    subject: 'UpdatePolicy/p',
    scenario: () => paris(saturday, '1.0', { suspend: { by: 'ana', reason: 'incident', until: '2026-11-22T00:00:00Z' } }),
    expected: { ready: [T, 'Suspended'], reconciling: [F, 'Waiting'], stalled: [F, 'Healthy'], kstatus: 'Current' },
  },
  {
    name: 'updates starting in an open window: Reconciling, not yet Ready (not at rest)',
    subject: 'UpdatePolicy/p',
    scenario: () => paris(saturday, '1.0'),
    expected: { ready: [F, 'Progressing'], reconciling: [T, 'Progressing'], stalled: [F, 'Progressing'], kstatus: 'InProgress' },
  },
  {
    name: 'updates in flight next to a failure: Reconciling until they end (not at rest)',
    subject: 'UpdatePolicy/p',
    scenario: () => {
      const s = paris(saturday, '1.0');
      return { ...s, operations: [ended('d1', 'failed', saturday), ...['d2', 'd3', 'd4'].map((id) => op(id, 'firmware', '1.1', { active: true, startedAt: saturday - hour }))] };
    },
    expected: { ready: [F, 'UpdatesFailed'], reconciling: [T, 'Progressing'], stalled: [F, 'Progressing'], kstatus: 'InProgress' },
  },
];

function subjectsOf(s: Scenario, invalid: string | undefined): StatusSubject[] {
  const out: StatusSubject[] = [];
  const meta = (m: { name: string }) => ({ ...m, generation: 3 });
  for (const g of s.groups ?? []) out.push({ kind: 'DeviceGroup', metadata: meta(g.metadata), previous: undefined, valid: invalid !== `DeviceGroup/${g.metadata.name}`, problems: [] });
  for (const p of s.policies ?? []) out.push({ kind: 'UpdatePolicy', metadata: meta(p.metadata), previous: undefined, valid: invalid !== `UpdatePolicy/${p.metadata.name}`, problems: ['p.yaml:7:9 spec.rollout.maxConcurrent must be >= 1'], policy: p });
  for (const su of s.scheduledUpdates ?? []) out.push({ kind: 'ScheduledUpdate', metadata: meta(su.metadata), previous: undefined, valid: invalid !== `ScheduledUpdate/${su.metadata.name}`, problems: [] });
  return out;
}

/** The status a case's manifest gets, as the object kstatus would read (generation 3). */
export function restingObject(c: Case): { metadata: { name: string; generation: number }; status: AnyStatus } {
  const s = c.scenario();
  const [kind, name] = c.subject.split('/') as [Kind, string];
  const all = buildStatuses(plan(s), subjectsOf(s, c.invalid ? c.subject : undefined), { now: s.now });
  const status = all.get(statusKey(kind, { name }));
  if (!status) throw new Error(`no status for ${c.subject}`);
  return { metadata: { name, generation: 3 }, status };
}

const triple = (status: AnyStatus) => {
  const get = (type: string) => {
    const c = status.conditions?.find((x) => x.type === type);
    return c ? [c.status, c.reason] : undefined;
  };
  return { ready: get('Ready'), reconciling: get('Reconciling'), stalled: get('Stalled') };
};

const Resting = suite('resting conditions');
for (const c of restingCases) {
  Resting(c.name, () => {
    const { status } = restingObject(c);
    assert.equal(triple(status), { ready: c.expected.ready, reconciling: c.expected.reconciling, stalled: c.expected.stalled });
    if (c.expected.message) assert.match(status.conditions!.find((x) => x.type === 'Ready')!.message ?? '', c.expected.message);
    if ('refused' in c.expected) assert.equal((status as { refused?: unknown }).refused, c.expected.refused);
  });
}
Resting('status.refused stays in a summary status (Git and folders), where the per-device lists are left out', () => {
  const c = restingCases.find((x) => x.expected.refused?.unknownFirmware === 4)!;
  const s = c.scenario();
  const all = buildStatuses(plan(s), subjectsOf(s, undefined), { now: s.now, detail: 'summary' });
  const status = all.get(statusKey('UpdatePolicy', { name: 'p' })) as { refused?: unknown; refusals?: unknown };
  assert.equal(status.refused, { unknownFirmware: 4 });
  assert.is(status.refusals, undefined);
});
Resting('every condition carries the observed generation, and so does the status', () => {
  for (const c of restingCases) {
    const { status } = restingObject(c);
    assert.is(status.observedGeneration, 3, c.name);
    for (const cond of status.conditions ?? []) assert.is(cond.observedGeneration, 3, `${c.name}: ${cond.type}`);
  }
});
Resting('at rest, Ready=False only beside Stalled=True with the same reason', () => {
  for (const c of restingCases) {
    const { status } = restingObject(c);
    const [ready, reconciling, stalled] = ['Ready', 'Reconciling', 'Stalled'].map((t) => status.conditions!.find((x) => x.type === t)!);
    if (reconciling!.status === 'True') continue; // not at rest
    if (ready!.status === 'True') {
      assert.is(stalled!.status, 'False', c.name);
      assert.is(status.updates?.failed ?? 0, 0, `${c.name}: Ready with a failure`);
    } else {
      assert.is(stalled!.status, 'True', `${c.name}: Ready=False at rest without Stalled`);
      assert.is(ready!.reason, stalled!.reason, c.name);
    }
  }
});

const Kstatus = suite('resting states read by kstatus');
for (const c of restingCases) {
  Kstatus(`${c.name}: ${c.expected.kstatus}`, () => {
    const object = restingObject(c);
    const read = kstatusOf(object);
    assert.is(read.status, c.expected.kstatus);
    // Current must mean nothing needs a person: no failure, no refusal hiding behind it other
    // than devices the rules leave alone on purpose (unknown firmware, versions not ordered).
    if (read.status === 'Current') {
      assert.is(object.status.updates?.failed ?? 0, 0, 'Current with a failed update');
      const reasons = ((object.status as { refusals?: { reason: string }[] }).refusals ?? []).map((r) => r.reason);
      assert.ok(reasons.every((r) => r === 'UnknownFirmware' || r === 'NotComparable'), `Current with a refusal that needs a person: ${reasons.join(', ')}`);
    }
    if (read.status === 'Failed') assert.is(read.reason, c.expected.stalled[1], 'kstatus names the stall reason');
  });
}
Kstatus('a status from an older generation reads InProgress, whatever its conditions', () => {
  const object = restingObject(restingCases[0]!);
  assert.is(kstatusOf({ ...object, metadata: { ...object.metadata, generation: 4 } }).status, 'InProgress');
});

Resting.run();
Kstatus.run();
