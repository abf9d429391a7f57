// The per-software rules of a policy: only firmware and teamsClient update automatically,
// automatic firmware is verified firmware, settings sit where they mean something, versions
// can be ordered and leave something eligible; plus what a Basic licence and an expired
// suspension do to a policy.
import type { SoftwareRule } from '../../model/manifests.generated.ts';
import { compareVersions, isComparableVersion } from '../../policy/version.ts';
import type { Check } from './context.ts';
import { findEntry, validOf, whereIs } from './context.ts';

/** The software types that can update automatically. */
export const automaticTypes: ReadonlySet<string> = new Set(['firmware', 'teamsClient']);

/** The mode a rule has when it names none. */
export function modeOf(type: string, rule: SoftwareRule | undefined): 'automatic' | 'manual' {
  return rule?.mode ?? (type === 'firmware' ? 'automatic' : 'manual');
}

/** mode-not-automatic, unverified-firmware-automatic, setting-ignored, version-*. */
export const checkSoftwareRules: Check = (ctx) => {
  for (const policy of validOf(ctx, 'UpdatePolicy')) {
    const software = policy.manifest.spec.software ?? {};
    for (const [type, rule] of Object.entries(software) as [string, SoftwareRule | undefined][]) {
      if (!rule) continue;
      const at = ['spec', 'software', type];
      const mode = modeOf(type, rule);
      if (rule.mode === 'automatic' && !automaticTypes.has(type)) {
        ctx.report(policy, [...at, 'mode'], 'value', 'mode-not-automatic', `${type} cannot update automatically (only firmware and teamsClient do); use mode: manual and a ScheduledUpdate`);
      }
      if (type === 'firmware' && rule.verifiedOnly === false && mode === 'automatic') {
        ctx.report(policy, [...at, 'verifiedOnly'], 'value', 'unverified-firmware-automatic', 'Microsoft only auto-updates verified firmware; remove verifiedOnly: false, or install unverified firmware with a ScheduledUpdate');
      }
      if (rule.phase !== undefined) {
        if (!automaticTypes.has(type)) {
          ctx.report(policy, [...at, 'phase'], 'key', 'setting-ignored', `phase has no effect on ${type}: only firmware and teamsClient follow a phase`);
        } else if (mode === 'manual') {
          const why = rule.mode === undefined ? `${type} is manual unless it says mode: automatic` : `${type} is manual here`;
          ctx.report(policy, [...at, 'phase'], 'key', 'setting-ignored', `phase has no effect: ${why}`);
        }
      }
      if (rule.lagOneVersion !== undefined && type !== 'firmware') {
        ctx.report(policy, [...at, 'lagOneVersion'], 'key', 'setting-ignored', `lagOneVersion has no effect on ${type}: it applies to firmware only`);
      }
      if (rule.verifiedOnly !== undefined && type !== 'firmware') {
        ctx.report(policy, [...at, 'verifiedOnly'], 'key', 'setting-ignored', `verifiedOnly has no effect on ${type}: it applies to firmware only`);
      }
      const versions = rule.versions;
      if (!versions) continue;
      const notComparable = (v: string, path: (string | number)[]) =>
        ctx.report(policy, path, 'value', 'version-not-comparable', `'${v}' is not a version firmwarden can order (dotted numbers such as 1.14.2); it could not prove an update is not a downgrade`);
      let bothComparable = true;
      for (const field of ['minimum', 'maximum'] as const) {
        const v = versions[field];
        if (v !== undefined && !isComparableVersion(v)) {
          notComparable(v, [...at, 'versions', field]);
          bothComparable = false;
        }
      }
      versions.exclude?.forEach((v, i) => {
        if (!isComparableVersion(v)) notComparable(v, [...at, 'versions', 'exclude', i]);
      });
      if (bothComparable && versions.minimum !== undefined && versions.maximum !== undefined && compareVersions(versions.minimum, versions.maximum) === 1) {
        ctx.report(policy, [...at, 'versions', 'maximum'], 'value', 'version-range-empty', `versions.minimum ${versions.minimum} is newer than versions.maximum ${versions.maximum}: no ${type} version is eligible`);
      }
    }
  }
};

/** basic-license-phase: reported on the group, where the licence is written. */
export const checkBasicLicensePhase: Check = (ctx) => {
  for (const group of validOf(ctx, 'DeviceGroup')) {
    const ref = group.manifest.spec.policyRef;
    if (group.manifest.spec.license !== 'Basic' || !ref) continue;
    const policy = findEntry(ctx, 'UpdatePolicy', group.namespace, ref.name);
    if (!policy?.schemaValid) continue;
    const phase = policy.manifest.spec.software?.firmware?.phase;
    if (phase === undefined || phase === 'General') continue;
    ctx.report(group, ['spec', 'license'], 'value', 'basic-license-phase', `Basic-licence devices always follow the General phase: policy '${ref.name}' (${whereIs(policy)}) asks for ${phase}, which is treated as General here; choosing a phase needs Pro`);
  }
};

/** suspend-expired. */
export const checkSuspend: Check = (ctx) => {
  for (const policy of validOf(ctx, 'UpdatePolicy')) {
    const until = policy.manifest.spec.suspend?.until;
    if (until === undefined) continue;
    const t = Date.parse(until);
    if (Number.isFinite(t) && t <= ctx.now) {
      ctx.report(policy, ['spec', 'suspend', 'until'], 'value', 'suspend-expired', `the suspension ended at ${until}; remove spec.suspend (it no longer pauses anything)`);
    }
  }
};
