// The plan's health checks in one place: the soaks of policies' updates (regressions count as
// failures: policy/health-soak.ts) and the evidence policies ask of versions
// (policy/evidence.ts), judged once per plan before any device is decided. Internal to
// controller/plan; pure.
import type { Device, DeviceSoftware, SoftwareType } from '../model/fleet.ts';
import type { UpdatePolicy } from '../model/manifests.generated.ts';
import type { OperationRecord } from '../model/plan.ts';
import type { HealthMemory } from '../model/state.ts';
import type { DeviceIndex } from '../policy/device-index.ts';
import { EvidenceIndex, evidenceRuleOf, gatherEvidence } from '../policy/evidence.ts';
import type { Membership } from '../policy/groups.ts';
import { soakRuleFor, watchSoaks, type SoakWatch } from '../policy/health-soak.ts';
import { ownerKey } from '../policy/manifest-keys.ts';
import type { EvidenceJudge } from './wave-gates.ts';

export interface HealthWatchInput {
  readonly now: number;
  readonly policies: readonly UpdatePolicy[];
  readonly operations: readonly OperationRecord[];
  readonly software: ReadonlyMap<string, DeviceSoftware>;
  readonly readAt?: ReadonlyMap<string, number> | undefined;
  readonly health?: HealthMemory | undefined;
}

/** What the plan's health checks give the rest of the plan. */
export interface HealthWatch {
  readonly soaks: SoakWatch;
  /** The evidence gate of a group's version, for WaveGates; undefined when no policy asks for evidence. */
  readonly judgeEvidence: EvidenceJudge | undefined;
  /** The memory to persist; undefined when there is nothing to remember. */
  readonly memory: HealthMemory | undefined;
}

/** Watches the soaks and gathers the evidence of one plan. */
export function watchHealth(input: HealthWatchInput, index: DeviceIndex, membership: Membership): HealthWatch {
  const byOwner = new Map<string, UpdatePolicy>(input.policies.map((p) => [ownerKey('UpdatePolicy', p.metadata), p]));
  const device = (id: string): Device | undefined => {
    const i = index.indexOfId(id);
    return i === undefined ? undefined : index.devices[i];
  };
  const soaks = watchSoaks({
    records: input.operations,
    soakOf: (r) => {
      const policy = r.owner === undefined ? undefined : byOwner.get(r.owner);
      return policy ? soakRuleFor(policy, r.wave) : undefined;
    },
    software: input.software,
    readAt: input.readAt,
    device,
    memory: input.health?.regressions ?? [],
    now: input.now,
  });
  const groups = new Set<string>();
  for (const p of input.policies) for (const t of ['firmware', 'teamsClient'] as const) {
    const rule = evidenceRuleOf(p, t);
    if (rule) groups.add(rule.group);
  }
  const evidence = gatherEvidence({
    memory: input.health?.evidence ?? [],
    groups,
    records: input.operations,
    groupOf: (id) => {
      const i = index.indexOfId(id);
      const g = i === undefined ? -1 : membership.groupOf[i]!;
      return g < 0 ? undefined : membership.groupKeys[g];
    },
    software: input.software,
    readAt: input.readAt,
    regressed: soaks.regressed,
    now: input.now,
  });
  const evidenceIndex = new EvidenceIndex(evidence);
  const judgeEvidence: EvidenceJudge = (ctx, type: SoftwareType, version) => {
    const rule = ctx.policy ? evidenceRuleOf(ctx.policy.policy, type) : undefined;
    return rule ? evidenceIndex.gate(rule, type, version, input.now) : undefined;
  };
  const memory = soaks.regressions.length > 0 || evidence.length > 0 ? { regressions: soaks.regressions, evidence } : undefined;
  // Without evidence rules WaveGates asks nothing per unit (plans of 100,000 devices feel it).
  return { soaks, judgeEvidence: groups.size > 0 ? judgeEvidence : undefined, memory };
}
