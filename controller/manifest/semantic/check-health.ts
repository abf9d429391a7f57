// Health soaks and evidence: a soak long enough to watch anything and short enough to end, and
// evidence asked of a group that exists and does not itself wait for that evidence.
import type { Soak, SoftwareRule } from '../../model/manifests.generated.ts';
import { parseDuration } from '../../policy/duration.ts';
import { settleMs } from '../../policy/health-soak.ts';
import type { Check } from './context.ts';
import { findEntry, namesOf, validOf, whereIs } from './context.ts';
import { suggestName } from '../suggest.ts';
import { automaticTypes, modeOf } from './check-software-rules.ts';

const hour = 3_600_000;
/** The shortest soak that watches anything: health is compared only from settleMs after an update. */
export const minSoakMs = hour;
export const maxSoakMs = 30 * 24 * hour;
/** Evidence records are kept a year (policy/evidence.ts): a longer healthyFor could never be met. */
export const maxHealthyForMs = 365 * 24 * hour;

/** health-duration, evidence-group-missing, evidence-from-itself, and setting-ignored for evidence on a manual type. */
export const checkHealthRules: Check = (ctx) => {
  for (const policy of validOf(ctx, 'UpdatePolicy')) {
    const rollout = policy.manifest.spec.rollout;
    const soaks: [Soak | undefined, (string | number)[]][] = [
      [rollout?.soak, ['spec', 'rollout', 'soak', 'duration']],
      ...(rollout?.waves ?? []).map((w, i): [Soak | undefined, (string | number)[]] => [w.soak, ['spec', 'rollout', 'waves', i, 'soak', 'duration']]),
    ];
    for (const [soak, path] of soaks) {
      const ms = soak ? parseDuration(soak.duration) : undefined;
      if (ms === undefined) continue;
      if (ms < minSoakMs) {
        ctx.report(policy, path, 'value', 'health-duration', `a soak of ${soak!.duration} watches almost nothing: health is compared only from ${settleMs / 60_000} minutes after an update (the device restarts and signs in again); give at least 1h`);
      } else if (ms > maxSoakMs) {
        ctx.report(policy, path, 'value', 'health-duration', `a soak of ${soak!.duration} holds the next wave for more than 30 days; give at most 30d, and use requireEvidence to wait for a version to prove itself over a longer time`);
      }
    }
    const software = policy.manifest.spec.software ?? {};
    for (const [type, rule] of Object.entries(software) as [string, SoftwareRule | undefined][]) {
      const evidence = rule?.versions?.requireEvidence;
      if (!evidence) continue;
      const at = ['spec', 'software', type, 'versions', 'requireEvidence'];
      if (!automaticTypes.has(type) || modeOf(type, rule) !== 'automatic') {
        ctx.report(policy, at, 'key', 'setting-ignored', `requireEvidence has no effect on ${type} here: only automatic firmware and teamsClient updates wait for evidence (a ScheduledUpdate never does)`);
      }
      const healthyFor = parseDuration(evidence.healthyFor);
      if (healthyFor !== undefined && healthyFor > maxHealthyForMs) {
        ctx.report(policy, [...at, 'healthyFor'], 'value', 'health-duration', `healthyFor ${evidence.healthyFor} is longer than the year evidence is kept; give at most 365d`);
      }
      const group = findEntry(ctx, 'DeviceGroup', policy.namespace, evidence.group);
      if (!group) {
        const names = namesOf(ctx, 'DeviceGroup', policy.namespace);
        const guess = suggestName(names, evidence.group, ctx.suggestBudget);
        const ns = policy.namespace === 'default' ? 'the default namespace' : `namespace ${policy.namespace}`;
        const hint = guess ? `; did you mean '${guess}'?` : '';
        ctx.report(policy, [...at, 'group'], 'value', 'evidence-group-missing', `no DeviceGroup named '${evidence.group}' in ${ns}${hint}: nothing could ever give the evidence, so ${type} would never update automatically under this policy`);
        continue;
      }
      if (group.schemaValid && group.manifest.spec.policyRef?.name === policy.name) {
        ctx.report(policy, [...at, 'group'], 'value', 'evidence-from-itself', `DeviceGroup '${evidence.group}' (${whereIs(group)}) follows this policy, so its devices would wait for evidence only they can give; take the evidence from a group with its own policy (a lab in the Test phase)`);
      }
    }
  }
};
