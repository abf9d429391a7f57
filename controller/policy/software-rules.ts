// The rule an UpdatePolicy gives one software type, with the defaults filled in and the
// product's facts applied: only firmware and the Teams app update automatically; firmware by
// default in the General phase; Basic licences always in the General phase; phase delays
// counted from the version's release.
import type { SoftwareType } from '../model/fleet.ts';
import type { License, Phase, SoftwareRule, UpdatePolicy } from '../model/manifests.generated.ts';
import type { Rule } from '../model/plan.ts';
import { parseVersion, type ParsedVersion } from './version.ts';

const dayMs = 86_400_000;

/** Days after release each phase installs a version: firmware, and the Teams app's own cadence. */
export const phaseDelayDays: Readonly<Record<'firmware' | 'teamsClient', Readonly<Record<Phase, number>>>> = {
  firmware: { Test: 0, General: 30, Final: 90 },
  teamsClient: { Test: 0, General: 15, Final: 45 },
};

/** Names of the software types for people. */
export const softwareLabel: Readonly<Record<SoftwareType, string>> = {
  adminAgent: 'admin agent',
  operatingSystem: 'operating system',
  teamsClient: 'Teams app',
  firmware: 'firmware',
  partnerAgent: 'partner agent',
  companyPortal: 'Company Portal',
};

/** A software type's rule with every default applied. */
export interface EffectiveRule {
  readonly softwareType: SoftwareType;
  readonly mode: 'automatic' | 'manual' | 'none';
  /** The phase that applies (General for Basic licences). */
  readonly phase: Phase;
  /** The phase the policy asked for. */
  readonly requestedPhase: Phase;
  /** True when a Basic licence overrode the requested phase. */
  readonly forcedByLicense: boolean;
  readonly delayMs: number;
  readonly lagOneVersion: boolean;
  readonly minimum: ParsedVersion | undefined;
  readonly maximum: ParsedVersion | undefined;
  readonly minimumText: string | undefined;
  readonly maximumText: string | undefined;
  readonly exclude: readonly string[];
  readonly excludeParsed: readonly ParsedVersion[];
  readonly rule: Rule;
  /** Equal for rules that decide alike (policies share decisions through it). */
  readonly signature: string;
}

function ruleOf(policy: UpdatePolicy | undefined, type: SoftwareType): SoftwareRule | undefined {
  return policy?.spec.software?.[type];
}

/** True for the types that can follow a phase (firmware, Teams app). */
export function isPhased(type: SoftwareType): type is 'firmware' | 'teamsClient' {
  return type === 'firmware' || type === 'teamsClient';
}

/** The phase that applies to a type under a policy and licence (also for clamps of manual updates). */
export function phaseFor(policy: UpdatePolicy | undefined, type: SoftwareType, license: License): { phase: Phase; requested: Phase; forced: boolean } {
  const requested = ruleOf(policy, type)?.phase ?? 'General';
  const forced = license === 'Basic' && requested !== 'General';
  return { phase: forced ? 'General' : requested, requested, forced };
}

/** Fills in a policy's rule for one software type. */
export function effectiveRule(policy: UpdatePolicy | undefined, type: SoftwareType, license: License): EffectiveRule {
  const written = ruleOf(policy, type);
  const label = softwareLabel[type];
  const { phase, requested, forced } = phaseFor(policy, type, license);
  const versions = written?.versions;
  const exclude = versions?.exclude ?? [];
  const signatureOf = (mode: string, delayMs: number, lag: boolean, text: string) =>
    [type, mode, delayMs, lag, versions?.minimum ?? '', versions?.maximum ?? '', exclude.join(','), text].join('\u0000');
  const base = {
    softwareType: type,
    phase,
    requestedPhase: requested,
    forcedByLicense: forced,
    minimum: versions?.minimum === undefined ? undefined : parseVersion(versions.minimum),
    maximum: versions?.maximum === undefined ? undefined : parseVersion(versions.maximum),
    minimumText: versions?.minimum,
    maximumText: versions?.maximum,
    exclude,
    excludeParsed: exclude.map(parseVersion).filter((p): p is ParsedVersion => p !== undefined),
  };
  if (!policy) {
    const text = `${label}: no UpdatePolicy, only ScheduledUpdates install anything`;
    return { ...base, mode: 'none', delayMs: 0, lagOneVersion: false, rule: { code: 'NoPolicy', text }, signature: signatureOf('none', 0, false, text) };
  }
  const mode = written?.mode ?? (type === 'firmware' ? 'automatic' : 'manual');
  if (mode === 'manual' || !isPhased(type)) {
    const why = mode === 'automatic' ? ' (only firmware and the Teams app can update automatically)' : '';
    const text = `${label}: manual only, through ScheduledUpdates${why}`;
    return { ...base, mode: 'manual', delayMs: 0, lagOneVersion: false, rule: { code: 'ManualOnly', text }, signature: signatureOf('manual', 0, false, text) };
  }
  const days = phaseDelayDays[type][phase];
  const lag = type === 'firmware' && written?.lagOneVersion === true;
  let text = `${label}: ${phase} phase, ${days === 0 ? 'installed as soon as released' : `installed ${days} days after release`}`;
  if (lag) text += ', one version behind (a version only once a newer one is out)';
  if (forced) text += ` (Basic licence: always the General phase; the policy asks for ${requested})`;
  return {
    ...base,
    mode: 'automatic',
    delayMs: days * dayMs,
    lagOneVersion: lag,
    rule: { code: type === 'firmware' ? 'FirmwarePhase' : 'TeamsClientPhase', text },
    signature: signatureOf('automatic', days * dayMs, lag, text),
  };
}
