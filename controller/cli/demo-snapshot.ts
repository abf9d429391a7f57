// What the demo's screen shows after each reconcile: the evaluation the pass decided with (its
// input, plan and statuses), turned into a frame's or the ending's plain values. A pass that
// evaluated nothing (the fleet or the state could not be read) shows the last evaluation with the
// failure above it, marked as older, rather than passing it off as this pass's progress.
import { kindKey } from '../policy/manifest-keys.ts';
import type { EngineInput } from '../model/engine.ts';
import type { ReconcileResult } from '../model/reconcile.ts';
import type { ManifestEntry } from '../model/desired.ts';
import type { Plan } from '../model/plan.ts';
import type { Finding } from '../manifest/finding.ts';
import { planFrom } from '../reconcile/engine.ts';
import { explainDevice } from '../plan/explain-device.ts';
import type { DemoConditions, DemoFrameInput, DemoGroup, DemoSchedule } from './demo-view.ts';
import type { DemoEndingInput } from './demo-ending.ts';
import { OperationMemory, emptyTally, planProblems, tallyByGroup, type DeviceTally } from './demo-tally.ts';

/** One reconcile as the screen shows it: the engine's input (manifests, fleet, ledger, now) and what came out. */
export interface DemoSnapshot {
  readonly input: EngineInput<ManifestEntry, Finding>;
  /** The plan the engine built from `input`, when it hands it out. */
  readonly plan: Plan | undefined;
  /** The result of the pass that evaluated `input`. */
  readonly result: ReconcileResult;
  /** The latest pass's failed steps, when it had any; `stale` when that pass evaluated nothing and the figures are older. */
  readonly failure?: DemoFrameInput['failure'];
}

/**
 * Pairs each pass's result with the evaluation it made. The engine is called during a pass and
 * the result comes at its end; a pass that fails before evaluating calls no engine, so an
 * evaluation is used by the pass that made it only, never by a later one.
 */
export class DemoPasses {
  #evaluated: { readonly input: EngineInput<ManifestEntry, Finding>; readonly plan: Plan | undefined } | undefined;
  #last: DemoSnapshot | undefined;

  /** Records an evaluation of the pass under way (the last one of a pass is the one its statuses come from). */
  evaluated(input: EngineInput<ManifestEntry, Finding>, plan: Plan | undefined): void {
    this.#evaluated = { input, plan };
  }

  /**
   * The snapshot to show once a pass ended with `result` at `at` (ms): this pass's evaluation, or
   * the last one with this pass's failure marked stale; undefined while nothing was ever evaluated.
   */
  ended(result: ReconcileResult, at: number): DemoSnapshot | undefined {
    const fresh = this.#evaluated;
    this.#evaluated = undefined;
    const failures = result.failures ?? [];
    const message = failures.length > 0 ? failures.map((f) => f.message).join('; ') : 'nothing was evaluated';
    if (fresh) {
      this.#last = { ...fresh, result, ...(failures.length > 0 ? { failure: { at, message, stale: false } } : {}) };
    } else if (this.#last) {
      const { input, plan, result: evaluatedBy } = this.#last;
      this.#last = { input, plan, result: evaluatedBy, failure: { at, message, stale: true } };
    }
    return this.#last;
  }

  /** The snapshot shown last, if any. */
  get last(): DemoSnapshot | undefined {
    return this.#last;
  }
}

type Named = { readonly metadata?: { readonly name?: string; readonly namespace?: string }; readonly spec?: { readonly timeZone?: string } };

/** What one snapshot shows: the plan its statuses came from, and the manifests' files and conditions by key. */
interface SnapshotView {
  readonly plan: Plan;
  /** `Kind/namespace/name` → the manifest's file, spec.timeZone and status conditions. */
  readonly manifests: ReadonlyMap<string, { readonly file: string; readonly timeZone: string | undefined; readonly conditions: DemoConditions | undefined }>;
}

function viewOf(snapshot: DemoSnapshot): SnapshotView {
  const manifests = new Map<string, { file: string; timeZone: string | undefined; conditions: DemoConditions | undefined }>();
  for (const m of snapshot.input.desired.manifests) {
    const named = m.manifest as Named | null;
    if (!named?.metadata?.name) continue;
    manifests.set(`${m.kind}/${named.metadata.namespace ?? 'default'}/${named.metadata.name}`, { file: m.file, timeZone: m.valid ? named.spec?.timeZone : undefined, conditions: undefined });
  }
  for (const u of snapshot.result.statuses) {
    const known = u.key && manifests.get(`${u.key.kind}/${u.key.namespace ?? 'default'}/${u.key.name}`);
    if (known) known.conditions = (u.status as { conditions?: DemoConditions }).conditions;
  }
  return { plan: snapshot.plan ?? planFrom(snapshot.input), manifests };
}

/**
 * The screen's input from one snapshot: groups, device tallies and times from the plan of that
 * same input (the statuses came from it, and give the conditions), operations from the memory
 * (which has seen this snapshot's ledger last). The groups keep the order of their files. The
 * latest pass's failure, if any, goes above them.
 */
export function frameInputOf(snapshot: DemoSnapshot, memory: OperationMemory, view: Pick<DemoFrameInput, 'timeZone' | 'startedAt' | 'colour'>): DemoFrameInput {
  const { plan, manifests } = viewOf(snapshot);
  const tallies = tallyByGroup(plan.devices);
  const summaries = new Map(plan.groups.map((g) => [g.key, g]));
  const schedules = new Map(plan.scheduledUpdates.map((s) => [s.key, s]));
  const keysOf = (kind: string) =>
    snapshot.result.statuses.filter((u) => u.key?.kind === kind).map((u) => ({ key: `${u.key!.namespace ?? 'default'}/${u.key!.name}`, name: u.key!.name }));
  return {
    ...view,
    now: snapshot.input.now,
    groups: keysOf('DeviceGroup').map(({ key, name }): DemoGroup => {
      const g = summaries.get(key);
      const m = manifests.get(`DeviceGroup/${key}`);
      return {
        name,
        timeZone: g?.timeZone ?? m?.timeZone,
        phase: g?.phase,
        conditions: m?.conditions,
        devices: tallies.get(key),
        members: g?.deviceIds.length,
        rollouts: g?.rollouts,
        nextActionTime: g?.nextActionTime,
        nextWindow: g?.nextWindow,
      };
    }),
    schedules: keysOf('ScheduledUpdate').map(({ key, name }): DemoSchedule => {
      const s = schedules.get(key);
      const [namespace] = key.split('/') as [string];
      return {
        name,
        timeZone: manifests.get(`ScheduledUpdate/${key}`)?.timeZone,
        conditions: manifests.get(`ScheduledUpdate/${key}`)?.conditions,
        targeted: s?.deviceIds.length,
        scheduledTime: s?.scheduledTime,
        completionTime: s?.completionTime,
        reached: memory.devicesOf(kindKey(namespace, 'ScheduledUpdate', name)),
      };
    }),
    operations: memory.totals(),
    ...(snapshot.failure ? { failure: snapshot.failure } : {}),
  };
}

/** The ending's facts from the last snapshot: the fleet's devices by state, every failed or refused update, and `why` for the first failed device. */
export function endingFacts(snapshot: DemoSnapshot): Pick<DemoEndingInput, 'devices' | 'problems' | 'why'> {
  const { plan, manifests } = viewOf(snapshot);
  const devices = emptyTally();
  for (const t of tallyByGroup(plan.devices).values()) for (const k of Object.keys(devices) as (keyof DeviceTally)[]) devices[k] += t[k];
  const byId = new Map(snapshot.input.fleet.devices.map((d) => [d.id, d]));
  const nameOf = (id: string) => byId.get(id)?.uniqueId || byId.get(id)?.serialNumber || id;
  // Keys in the plan are namespace/name; the manifests' are Kind/namespace/name.
  const fileOf = (group: string | undefined, scheduledUpdate: string | undefined) =>
    (group && manifests.get(`DeviceGroup/${group}`)?.file) || (scheduledUpdate && manifests.get(`ScheduledUpdate/${scheduledUpdate}`)?.file) || '(no group)';
  const problems = planProblems(plan.devices).map((p) => ({
    state: p.state,
    file: fileOf(p.group, p.scheduledUpdate),
    device: nameOf(p.deviceId),
    softwareType: p.softwareType,
    version: p.version,
    detail: p.detail,
  }));
  const firstFailed = planProblems(plan.devices).find((p) => p.state === 'failed');
  const device = firstFailed && byId.get(firstFailed.deviceId);
  const blocker = device && explainDevice(plan, device).blocker;
  const why = device && blocker ? { device: nameOf(device.id), blocker } : undefined;
  return { devices, problems, why };
}
