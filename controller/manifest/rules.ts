// Every check lint can report, with its fixed severity and a one-line description. The ids are
// what people put in review comments and what SARIF lists as rules, so they never change meaning.
import type { Severity } from './finding.ts';

interface RuleInfo {
  readonly severity: Severity;
  readonly description: string;
}

/** The rule catalogue, by id. */
export const rules = {
  // Files and YAML
  'file-too-large': { severity: 'error', description: 'The file is larger than the limit (--max-file-size, 1 MiB by default) and was not read.' },
  'file-binary': { severity: 'error', description: 'The file is not UTF-8 text (NUL bytes or invalid UTF-8): it cannot be a manifest.' },
  'file-empty': { severity: 'warning', description: 'The file holds no YAML document.' },
  'yaml-syntax': { severity: 'error', description: 'The YAML cannot be parsed.' },
  'yaml-duplicate-key': { severity: 'error', description: 'A mapping has the same key twice; YAML forbids it and tools disagree on which value wins.' },
  'yaml-aliases': { severity: 'error', description: 'Too many aliases (*name) or alias expansions: refused to protect memory and time (alias bomb).' },
  'yaml-too-deep': { severity: 'error', description: 'Collections nested too deeply to be a manifest: refused to protect time.' },
  'yaml-warning': { severity: 'warning', description: 'The YAML parser warns about this construct (for example an unknown tag).' },
  'not-a-mapping': { severity: 'error', description: 'A document is not a mapping, so it cannot be a manifest.' },
  'unknown-kind': { severity: 'error', description: 'The apiVersion or kind is not one firmwarden reads.' },
  // Schema (schemas/*.schema.json)
  'schema-unknown-field': { severity: 'error', description: 'A field the schema does not define (often a typo).' },
  'schema-required': { severity: 'error', description: 'A required field is missing.' },
  'schema-type': { severity: 'error', description: 'A value has the wrong type (text, number, list, mapping…).' },
  'schema-enum': { severity: 'error', description: 'A value is not one of the allowed values.' },
  'schema-pattern': { severity: 'error', description: 'A value does not have the expected form (time, date, name, duration…).' },
  'schema-range': { severity: 'error', description: 'A number is out of its allowed range.' },
  'schema-size': { severity: 'error', description: 'A text, list or mapping is too short or too long.' },
  // Meaning
  'dangling-reference': { severity: 'error', description: 'policyRef, targets.groupRef, or a NotificationRule\'s channelRef, groupRefs or policyRefs names a manifest that does not exist in the namespace.' },
  'duplicate-name': { severity: 'error', description: 'Two manifests of the same kind have the same name in one namespace.' },
  'invalid-time-zone': { severity: 'error', description: 'Not an IANA time zone name.' },
  'invalid-date': { severity: 'error', description: 'A date that does not exist (30 February) or a wall-clock time that does not.' },
  'device-local-without-time-zone': { severity: 'warning', description: "A group without timeZone follows a policy with device-local windows or freezes: UTC is assumed." },
  'window-end-and-duration': { severity: 'error', description: 'A maintenance window gives both end and duration.' },
  'window-without-end': { severity: 'error', description: 'A maintenance window gives neither end nor duration.' },
  'window-empty': { severity: 'error', description: 'A maintenance window is empty (start equals end, or duration 0).' },
  'window-too-short': { severity: 'warning', description: 'A maintenance window shorter than 30 minutes: updates may never fit in it.' },
  'window-too-long': { severity: 'error', description: 'A maintenance window longer than 7 days.' },
  'freeze-end-before-start': { severity: 'error', description: 'A freeze ends before it starts.' },
  'freeze-expired': { severity: 'warning', description: 'A freeze whose last day is over: it no longer stops anything and can be removed.' },
  'holiday-calendar-unreadable': { severity: 'error', description: 'A holiday calendar (.ics) that is missing, outside the folder firmwarden reads, or not iCalendar; the message names the file and line.' },
  'wave-size': { severity: 'error', description: 'A rollout wave gives both percent and count, or neither.' },
  'waves-over-100-percent': { severity: 'error', description: 'The percents of the rollout waves add up to more than 100.' },
  'health-duration': { severity: 'error', description: 'A soak shorter than 1h (health is compared only from 30 minutes after an update) or longer than 30d, or a requireEvidence healthyFor longer than the year evidence is kept.' },
  'evidence-group-missing': { severity: 'error', description: 'versions.requireEvidence names a DeviceGroup that does not exist in the namespace: the version would never become eligible.' },
  'evidence-from-itself': { severity: 'error', description: 'versions.requireEvidence names a DeviceGroup that follows the same policy: its devices would wait for evidence only they can give.' },
  'schedule-at-without-time-zone': { severity: 'error', description: "A ScheduledUpdate gives 'at' without a timeZone." },
  'schedule-time-zone-without-at': { severity: 'warning', description: "A ScheduledUpdate gives a timeZone without 'at': it runs now and the time zone means nothing." },
  'schedule-in-past': { severity: 'warning', description: 'A ScheduledUpdate time is in the past: it runs as soon as the controller sees it.' },
  'schedule-after-max-delay': { severity: 'warning', description: "A firmware ScheduledUpdate is later than the phase's maximum delay: it runs when the delay is reached instead." },
  'basic-license-phase': { severity: 'warning', description: 'A Basic-licence group follows a policy with a phase other than General: Basic devices always use General.' },
  'version-not-comparable': { severity: 'error', description: 'A version firmwarden cannot order (only dotted numbers), so it cannot prove an update is not a downgrade.' },
  'version-range-empty': { severity: 'error', description: 'versions.minimum is newer than versions.maximum: no version is eligible.' },
  'mode-not-automatic': { severity: 'error', description: 'Automatic mode on a software type that only updates manually (only firmware and teamsClient update automatically).' },
  'unverified-firmware-automatic': { severity: 'error', description: 'Automatic firmware with verifiedOnly: false; only verified firmware is auto-updated.' },
  'setting-ignored': { severity: 'warning', description: 'A setting that has no effect where it is written (phase, lagOneVersion or verifiedOnly on a software type or mode that ignores it).' },
  'device-in-two-groups': { severity: 'error', description: 'The same device is listed in the include list of two DeviceGroups.' },
  'targets-nothing': { severity: 'error', description: 'A ScheduledUpdate whose targets cannot match any device.' },
  'group-matches-nothing': { severity: 'warning', description: 'A DeviceGroup whose selector and include list cannot match any device.' },
  'duplicate-software-type': { severity: 'error', description: 'A ScheduledUpdate lists the same software type twice.' },
  'internal-error': { severity: 'error', description: 'firmwarden failed while checking this document; the document is treated as invalid. Please report it.' },
  'secret-ref-form': { severity: 'error', description: 'A NotificationChannel or Tenant secret reference gives more than one place to read the secret, or a Kubernetes Secret without both name and key.' },
  'webhook-without-signing-key': { severity: 'error', description: 'A webhook NotificationChannel without signingSecretRef: its requests could not be signed.' },
  'tenant-twice-in-namespace': { severity: 'error', description: 'A second Tenant in a namespace: a namespace is one Microsoft 365 tenant.' },
  'tenant-credentials-shared': { severity: 'error', description: 'Two Tenants name the same tenant id, or read their client secret or certificate from the same place: credentials are never shared between tenants.' },
  'no-tenant-in-namespace': { severity: 'warning', description: 'Tenants are declared, but not in this manifest\'s namespace: the manifest acts on no tenant\'s devices until its namespace has a Tenant.' },
  'suspend-expired': { severity: 'warning', description: 'spec.suspend.until is in the past: the suspension is over and can be removed.' },
} as const satisfies Record<string, RuleInfo>;

export type RuleId = keyof typeof rules;

/** The severity a rule always reports with. */
export function severityOf(rule: RuleId): Severity {
  return rules[rule].severity;
}
