// The pure engine behind the reconcile: valid manifests and the fleet picture in, the
// operations to start and every manifest's status out. It only assembles the pure core
// (buildPlan, buildStatuses); no I/O, `now` comes in.
import type { DeviceGroup, ScheduledUpdate, UpdatePolicy } from '../model/manifests.generated.ts';
import type { OperationRecord, Plan } from '../model/plan.ts';
import type { Finding } from '../manifest/finding.ts';
import { buildPlan, type PlanInput } from '../plan/build-plan.ts';
import { operationRecords } from '../plan/operation-book.ts';
import { mergeCalendars } from '../policy/release-calendar.ts';
import { objectKey, ownerKey } from '../policy/manifest-keys.ts';
import type { HolidayDay, ManifestEntry } from '../model/desired.ts';
import { operationTimeoutMs } from '../policy/operation-timeout.ts';
import { mergeEvidence } from '../policy/evidence.ts';
import { fineAspects } from '../policy/health-soak.ts';
import type { ControllerState, HealthMemory, LedgerEntry, RolloutMemory } from '../model/state.ts';
import type { DeviceHealth, DeviceOperation, HealthAspect } from '../model/fleet.ts';
import { releasesFromStatus, rolloutsFromStatus } from '../plan/remembered.ts';
import { buildStatuses, statusKey } from '../status/build-status.ts';
import { countStates } from '../status/status-fields.ts';
import type { AnyStatus, StatusSubject } from '../status/status-subject.ts';
import { deviceLabel, type StatusDetail } from '../status/people-fields.ts';
import { specDigest } from '../policy/spec-digest.ts';
import type { StatusUpdate } from '../model/source.ts';
import { createFleetReport, type FleetReportOptions } from './fleet-report.ts';
import type { Engine, EngineInput, EngineOutput } from '../model/engine.ts';
import { policyEntriesInUse, scheduledOwnersInFlight } from './ledger-keep.ts';
import { withFailureStatuses } from './failure-statuses.ts';

type Kind = 'DeviceGroup' | 'UpdatePolicy' | 'ScheduledUpdate';
const kinds: ReadonlySet<string> = new Set<Kind>(['DeviceGroup', 'UpdatePolicy', 'ScheduledUpdate']);

interface Metadata {
  readonly name: string;
  readonly namespace?: string;
  readonly generation?: number;
}

/** The metadata of a manifest when it has a usable name (even an invalid one can carry a status). */
function metadataOf(manifest: unknown): Metadata | undefined {
  const meta = (manifest as { metadata?: unknown } | null)?.metadata as Partial<Metadata> | undefined;
  return typeof meta?.name === 'string' && meta.name !== '' ? (meta as Metadata) : undefined;
}

function statusOf(manifest: unknown): AnyStatus | undefined {
  const status = (manifest as { status?: unknown } | null)?.status;
  return status !== null && typeof status === 'object' ? (status as AnyStatus) : undefined;
}

/** The valid manifests of each kind. */
export function splitManifests(manifests: readonly ManifestEntry[]) {
  const valid = manifests.filter((m) => m.valid);
  return {
    groups: valid.filter((m) => m.kind === 'DeviceGroup').map((m) => m.manifest as DeviceGroup),
    policies: valid.filter((m) => m.kind === 'UpdatePolicy').map((m) => m.manifest as UpdatePolicy),
    scheduledUpdates: valid.filter((m) => m.kind === 'ScheduledUpdate').map((m) => m.manifest as ScheduledUpdate),
  };
}

/** The plan's input from an engine input (also what the live view's forecast simulates from). */
export function planInputFrom(input: EngineInput<ManifestEntry, Finding>): PlanInput {
  const manifests = splitManifests(input.desired.manifests);
  return {
    now: input.now,
    ...manifests,
    devices: input.fleet.devices,
    software: input.fleet.software,
    operations: operationsOf(input.state.ledger, input.operations),
    holidayCalendars: holidayCalendarsOf(input.desired.manifests),
    // Release dates and stopped rollouts are kept beside the manifests too (the calendar file of
    // a Git repository or folder; in Kubernetes the policies' status.releases), so losing the
    // state file loses neither. Statuses written by earlier versions carry them as well.
    releases: mergeCalendars(input.state.releases, input.calendar?.releases ?? [], ...manifests.policies.map(releasesFromStatus)),
    rollouts: {
      ...rolloutsFromStatus(manifests.policies),
      ...input.calendar?.rollouts,
      ...(input.state.rollouts as Readonly<Record<string, RolloutMemory>>),
    },
    ...(input.rooms ? { rooms: input.rooms } : {}),
    readAt: input.fleet.readAt,
    ...healthMemoryOf(input.state, input.calendar?.evidence),
  };
}

/**
 * The operation records of the ledger, then those of the updates read as active on devices that
 * no active ledger record holds (one the ledger has as ended but still running counts too: the
 * controller waits for it as well).
 */
function operationsOf(ledger: readonly LedgerEntry[], found: readonly DeviceOperation[] | undefined): OperationRecord[] {
  const records = operationRecords(ledger);
  if (!found?.length) return records;
  const active = new Set(records.filter((r) => r.active && r.operationId).map((r) => r.operationId));
  return [...records, ...operationRecords([], found.filter((op) => !active.has(op.id)))];
}

/**
 * The health memory a plan starts from: the state's, with the evidence the calendar file keeps
 * (so evidence, like release dates, survives the loss of the state file).
 */
function healthMemoryOf(state: ControllerState, calendarEvidence: HealthMemory['evidence'] | undefined): { health?: HealthMemory } {
  if (!state.health && !calendarEvidence?.length) return {};
  return { health: { regressions: state.health?.regressions ?? [], evidence: mergeEvidence(state.health?.evidence, calendarEvidence) } };
}

/** The state with a plan's health memory (none: the key goes). */
function withHealthMemory(state: ControllerState, health: HealthMemory | undefined): ControllerState {
  const { health: _previous, ...rest } = state;
  return health ? { ...rest, health } : rest;
}

/** The holiday days read from .ics files, by owner key of the valid group or policy that references them. */
export function holidayCalendarsOf(manifests: readonly ManifestEntry[]): Map<string, readonly HolidayDay[]> {
  const out = new Map<string, readonly HolidayDay[]>();
  for (const m of manifests) {
    if (!m.valid || !m.holidayDays || (m.kind !== 'DeviceGroup' && m.kind !== 'UpdatePolicy')) continue;
    out.set(ownerKey(m.kind, (m.manifest as DeviceGroup | UpdatePolicy).metadata), m.holidayDays);
  }
  return out;
}

/** Plans from an engine input: the plan the engine's statuses and starts come from (`plan`, `why` and the demo call it too). */
export function planFrom(input: EngineInput<ManifestEntry, Finding>): Plan {
  return buildPlan(planInputFrom(input));
}

/** The health aspects fine on a device now, for its ledger entry; nothing when its health was not read. */
function healthBeforeOf(health: DeviceHealth | undefined): { healthBefore?: HealthAspect[] } {
  const fine = fineAspects(health);
  return fine === undefined ? {} : { healthBefore: fine };
}

function summarize(plan: Plan, started: number): string {
  const counts = countStates(plan.devices);
  const parts = [
    started > 0 ? `${started} update${started === 1 ? '' : 's'} started` : '',
    `${counts.upToDate + counts.succeeded} up to date`,
    counts.inProgress ? `${counts.inProgress} in progress` : '',
    counts.failed ? `${counts.failed} failed` : '',
    counts.blocked ? `${counts.blocked} blocked` : '',
  ].filter(Boolean);
  return parts.join(', ');
}

/** How the engine writes statuses. */
export interface EngineOptions {
  /** `summary` for Git repositories and folders (short statuses people review), `full` for Kubernetes. Default: full. */
  readonly statusDetail?: StatusDetail;
  /** The fleet report written with the statuses (Git and folder sources). Default: none. */
  readonly report?: FleetReportOptions;
}

/** The engine: plan, then the status of every manifest that has a name. */
export function createEngine(options: EngineOptions = {}): Engine<ManifestEntry, Finding> {
  const report = options.report === undefined ? undefined : createFleetReport(options.report);
  return (input): EngineOutput => {
    const planInput = planInputFrom(input);
    const plan = buildPlan(planInput);
    const problems = new Map<string, string[]>();
    for (const f of input.desired.findings) {
      if (f.key === undefined || f.severity !== 'error') continue;
      const list = problems.get(f.key) ?? [];
      list.push(`${f.file}:${f.line}:${f.column} ${f.message}`);
      problems.set(f.key, list);
    }
    const located: { entry: ManifestEntry; key: string; metadata: Metadata }[] = [];
    const subjects: StatusSubject[] = [];
    for (const entry of input.desired.manifests) {
      const metadata = metadataOf(entry.manifest);
      if (!metadata || !kinds.has(entry.kind)) continue;
      const kind = entry.kind as Kind;
      const key = statusKey(kind, metadata);
      located.push({ entry, key, metadata });
      subjects.push({
        kind,
        metadata,
        previous: statusOf(entry.manifest),
        valid: entry.valid,
        problems: problems.get(key) ?? (entry.valid ? [] : ['the manifest is invalid; run firmwarden lint on it']),
        ...(kind === 'UpdatePolicy' && entry.valid ? { policy: entry.manifest as UpdatePolicy } : {}),
        ...(entry.valid ? { specDigest: specDigest((entry.manifest as { spec?: unknown }).spec) } : {}),
      });
    }
    const byId = new Map(input.fleet.devices.map((d) => [d.id, d]));
    const statuses = buildStatuses(plan, subjects, {
      now: input.now,
      deviceName: (id) => {
        const d = byId.get(id);
        return d === undefined ? undefined : d.uniqueId || d.serialNumber;
      },
      deviceLabel: (id) => deviceLabel(id, byId.get(id)),
      ...(options.statusDetail ? { detail: options.statusDetail } : {}),
    });
    const updates: StatusUpdate[] = [];
    for (const { entry, key, metadata } of located) {
      const status = statuses.get(key);
      if (status === undefined) continue;
      updates.push({
        path: entry.file,
        docIndex: entry.docIndex,
        status,
        key: { kind: entry.kind, name: metadata.name, ...(metadata.namespace ? { namespace: metadata.namespace } : {}) },
      });
    }
    const started = input.outcomes.filter((o) => o.result === 'started' || o.result === 'adopted').length;
    // The timeout of the policy the device follows (a ScheduledUpdate's too), kept in the ledger.
    const policies = new Map(splitManifests(input.desired.manifests).policies.map((p) => [objectKey(p.metadata), p]));
    return {
      starts: plan.actions.map((a) => ({
        deviceId: a.deviceId,
        softwareType: a.softwareType,
        version: a.version,
        owner: a.owner,
        ...(a.ownerSpecDigest === undefined ? {} : { ownerSpecDigest: a.ownerSpecDigest }),
        currentVersion: a.currentVersion,
        timeoutMs: operationTimeoutMs(a.policy === undefined ? undefined : policies.get(a.policy)),
        // What works on the device now: its update's health soak compares with it.
        ...healthBeforeOf(input.fleet.software.get(a.deviceId)?.health),
        ...(a.wave === undefined ? {} : { wave: a.wave }),
      })),
      statuses: withFailureStatuses(updates, input.desired.manifests, input.failures ?? [], input.now),
      state: withHealthMemory({ ...input.state, releases: plan.releases, rollouts: plan.rollouts }, plan.health),
      nextActionTime: plan.nextActionTime,
      keepLedgerOf: scheduledOwnersInFlight(input.desired.manifests),
      keepLedgerEntries: policyEntriesInUse(input.state.ledger, plan, policies, input.now),
      summary: summarize(plan, started),
      plan,
      ...(report === undefined
        ? {}
        : {
            files: () =>
              report({
                now: input.now,
                planInput,
                plan,
                deviceLabel: (id) => deviceLabel(id, byId.get(id)),
                omitted: input.omitted ?? [],
                specKey: subjects.map((s) => `${s.kind}/${s.metadata.namespace ?? ''}/${s.metadata.name}@${s.specDigest ?? 'invalid'}`).join('\n'),
              }),
          }),
    };
  };
}
