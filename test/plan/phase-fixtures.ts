// Builders for the plan's phase tests: group contexts made by the real phases (judgePolicies,
// groupContext) and works as the device walk creates them.
import type { Device, SoftwareType } from '../../controller/model/fleet.ts';
import type { DeviceGroupSpec, UpdatePolicySpec } from '../../controller/model/manifests.generated.ts';
import type { OperationRecord } from '../../controller/model/plan.ts';
import { groupContext, type GroupContext } from '../../controller/plan/group-context.ts';
import { judgePolicies, type JudgedPolicies } from '../../controller/plan/judge-policies.ts';
import { OperationBook } from '../../controller/plan/operation-book.ts';
import type { ScheduledCtx, Work } from '../../controller/plan/work.ts';
import { device, group, policy } from './fixtures.ts';

/** Policy `p` with `spec`, judged at `now` on `operations`. */
export function judged(spec: UpdatePolicySpec, now: number, operations: OperationRecord[] = []): JudgedPolicies {
  return judgePolicies([policy('p', spec)], new OperationBook(operations), undefined, undefined, now);
}

/** The context of group `g` (index `index`, `waveCount` waves) under policy `p` with `spec`. */
export function contextUnder(spec: UpdatePolicySpec, now: number, options: { index?: number; waveCount?: number; group?: Partial<DeviceGroupSpec>; operations?: OperationRecord[] } = {}): GroupContext {
  const { policies } = judged(spec, now, options.operations);
  return groupContext(options.index ?? 0, group(`g${options.index ?? 0}`, { policyRef: { name: 'p' }, timeZone: 'UTC', ...options.group }), policies, options.waveCount ?? 0);
}

/** A work that needs `version` of `type`, as the walk makes it (overrides after). */
export function work(ctx: GroupContext, d: Device | string, overrides: Partial<Work> & { type?: SoftwareType } = {}): Work {
  const dev = typeof d === 'string' ? device(d) : d;
  const type = overrides.type ?? 'firmware';
  return {
    device: dev, deviceIdx: 0, type, state: { softwareType: type, currentVersion: '1.0', availableVersion: '1.1', freshness: 'updateAvailable' }, ctx,
    source: 'auto', su: undefined, rule: ctx.rules[type].rule, version: '1.1', status: 'upToDate', reason: { code: 'UpToDate', message: '' },
    needs: false, t0: 0, t0Reason: undefined, respectWindows: true, earliest: undefined, wave: undefined, clamp: undefined, failure: undefined,
    refused: undefined, owner: ctx.policy?.owner, ...overrides,
  };
}

/** A ScheduledUpdate context with no targets (enough for works that name it). */
export function scheduledCtx(name: string): ScheduledCtx {
  return {
    su: { apiVersion: 'firmwarden.dev/v1alpha1', kind: 'ScheduledUpdate', metadata: { name }, spec: { targets: { deviceIds: ['none'] }, software: [{ type: 'firmware', version: '1.1' }] } },
    key: `default/${name}`, owner: `default/ScheduledUpdate/${name}`, specDigest: 'digest', at: undefined, completedAt: undefined, deviceIdx: [], records: new Map(), passedFreezes: new Map(),
  };
}
