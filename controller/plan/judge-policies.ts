// The policies as this plan sees them: each one's context (suspension, waves, limits) and the
// stops its finished operations call for (spec.rollout.failureThreshold, health regressions
// counted as failures), judged once per policy × software type before any device is decided.
// Internal to controller/plan; pure.
import type { SoftwareType } from '../model/fleet.ts';
import type { UpdatePolicy } from '../model/manifests.generated.ts';
import type { OperationRecord } from '../model/plan.ts';
import type { RegressionRecord, RolloutMemory } from '../model/state.ts';
import { ownerKey } from '../policy/manifest-keys.ts';
import { judgeFailures } from '../policy/rollout-health.ts';
import { policyContexts, type PolicyContext } from './group-context.ts';
import type { OperationBook } from './operation-book.ts';

/** Finished operations of one policy × software type: how many, and how many failed. */
export interface Tally {
  readonly completed: number;
  readonly failed: number;
}

/** The policies' contexts and what their rollouts' health says. */
export interface JudgedPolicies {
  /** Every policy by key (namespace/name). */
  readonly policies: Map<string, PolicyContext>;
  /** The stops to remember, keyed policyKey|softwareType (the plan's `rollouts`). */
  readonly rollouts: Record<string, RolloutMemory>;
  /** The finished operations per policyKey|softwareType (for the rollout views). */
  readonly tallies: Map<string, Tally>;
}

/** Only these types are judged: the others never roll out automatically under a policy's waves. */
const judgedTypes = ['firmware', 'teamsClient'] as const;

/** Builds the policies' contexts with their suspensions and stops. */
export function judgePolicies(
  policies: readonly UpdatePolicy[],
  book: OperationBook,
  memory: Readonly<Record<string, RolloutMemory>> | undefined,
  regressed: ((record: OperationRecord) => RegressionRecord | undefined) | undefined,
  now: number,
): JudgedPolicies {
  const rollouts: Record<string, RolloutMemory> = {};
  const tallies = new Map<string, Tally>();
  const contexts = policyContexts(policies, now, (policy, key) => {
    const stops = new Map<SoftwareType, RolloutMemory>();
    const records = book.startedBy(ownerKey('UpdatePolicy', policy.metadata));
    for (const type of judgedTypes) {
      const memKey = `${key}|${type}`;
      const j = judgeFailures(policy, type, records, memory?.[memKey], now, regressed);
      tallies.set(memKey, { completed: j.completed, failed: j.failed });
      if (j.stopped) {
        stops.set(type, j.stopped);
        rollouts[memKey] = j.stopped;
      }
    }
    return stops;
  });
  return { policies: contexts, rollouts, tallies };
}
