// The schedule preview: what each device will get and when over the coming days, simulated
// with the pure plan. Assumptions, said in every rendering: every update succeeds and takes
// `operationMinutes`; no new version is released; no health regression (soaks pass, evidence
// grows); windows, freezes, waves, bake and soak times and concurrency apply as planned.
// Pure: the simulation clock starts at the input's `now`.
import type { DeviceSoftware, SoftwareState } from '../model/fleet.ts';
import type { OperationRecord, Plan, PlanAction } from '../model/plan.ts';
import type { HealthMemory, ReleaseRecord, RolloutMemory } from '../model/state.ts';
import { fineAspects } from '../policy/health-soak.ts';
import { compareVersions } from '../policy/version.ts';
import { buildPlan, type PlanInput } from './build-plan.ts';

/** One update the simulation starts. */
export interface ForecastEvent {
  readonly time: number;
  readonly action: PlanAction;
}

export interface ForecastOptions {
  /** How far ahead (days). */
  readonly days: number;
  /** How long each simulated update takes. Default: 30 minutes. */
  readonly operationMinutes?: number;
  /** Plans computed at most (each step is one plan). Default: 2,000. */
  readonly maxSteps?: number;
}

export interface Forecast {
  readonly from: number;
  readonly to: number;
  /** Updates in the order they start. */
  readonly events: readonly ForecastEvent[];
  /** True when the step limit ended the simulation before `to`. */
  readonly truncated: boolean;
  /** The plan at the end of the simulation (what is still scheduled after the horizon). */
  readonly last: Plan;
}

interface Running {
  readonly action: PlanAction;
  readonly startedAt: number;
  readonly endsAt: number;
}

/** Simulates the plan forward from `input.now` for `options.days`. */
export function forecast(input: PlanInput, options: ForecastOptions): Forecast {
  const opMs = (options.operationMinutes ?? 30) * 60_000;
  const maxSteps = options.maxSteps ?? 2000;
  const to = input.now + options.days * 86_400_000;
  const software = new Map(input.software);
  const operations: OperationRecord[] = [...input.operations];
  let releases: readonly ReleaseRecord[] = input.releases;
  let rollouts: Readonly<Record<string, RolloutMemory>> = input.rollouts ?? {};
  // Health stays as it is now (no regression is forecast), so soaks pass and evidence grows;
  // after the first step every device counts as read at the simulated time.
  let health: HealthMemory | undefined = input.health;
  const { readAt, ...timeless } = input;
  const running: Running[] = [];
  const events: ForecastEvent[] = [];
  let t = input.now;
  let steps = 0;
  let plan: Plan | undefined;
  let truncated = false;
  for (;;) {
    // Finish what ended by now: the device reports the new version.
    for (let k = running.length - 1; k >= 0; k--) {
      const r = running[k]!;
      if (r.endsAt > t) continue;
      running.splice(k, 1);
      finish(r, software, operations);
    }
    plan = buildPlan({ ...timeless, ...(steps === 0 && readAt ? { readAt } : {}), ...(health ? { health } : {}), now: t, software, operations, releases, rollouts });
    releases = plan.releases;
    rollouts = plan.rollouts;
    health = plan.health;
    for (const action of plan.actions) {
      events.push({ time: t, action });
      const r = { action, startedAt: t, endsAt: t + opMs };
      running.push(r);
      operations.push(activeRecord(r, software.get(action.deviceId)));
    }
    steps++;
    const nextEnd = running.reduce<number | undefined>((m, r) => (m === undefined || r.endsAt < m ? r.endsAt : m), undefined);
    const candidates = [plan.nextActionTime, nextEnd].filter((x): x is number => x !== undefined && x > t);
    if (candidates.length === 0) break;
    const next = Math.min(...candidates);
    if (next > to) break;
    if (steps >= maxSteps) {
      truncated = true;
      break;
    }
    t = next;
  }
  return { from: input.now, to, events, truncated, last: plan };
}

function activeRecord(r: Running, sw: DeviceSoftware | undefined): OperationRecord {
  const healthBefore = fineAspects(sw?.health);
  return {
    deviceId: r.action.deviceId,
    softwareType: r.action.softwareType,
    version: r.action.version,
    owner: r.action.owner,
    ownerSpecDigest: r.action.ownerSpecDigest,
    operationId: `forecast-${r.action.deviceId}-${r.action.softwareType}-${r.startedAt}`,
    active: true,
    outcome: undefined,
    startedAt: r.startedAt,
    endedAt: undefined,
    errorCode: undefined,
    errorMessage: undefined,
    ...(healthBefore === undefined ? {} : { healthBefore }),
    ...(r.action.wave === undefined ? {} : { wave: r.action.wave }),
  };
}

function finish(r: Running, software: Map<string, DeviceSoftware>, operations: OperationRecord[]): void {
  const { deviceId, softwareType, version } = r.action;
  const idx = operations.findIndex((o) => o.active && o.deviceId === deviceId && o.softwareType === softwareType && o.startedAt === r.startedAt);
  if (idx >= 0) operations[idx] = { ...operations[idx]!, active: false, outcome: 'succeeded', endedAt: r.endsAt };
  const before = software.get(deviceId);
  if (!before) return;
  const old = before.software[softwareType];
  const newest = stillOffered(old, version);
  const state: SoftwareState = {
    softwareType,
    currentVersion: version,
    availableVersion: newest,
    freshness: newest === null ? 'latest' : 'updateAvailable',
  };
  software.set(deviceId, { ...before, software: { ...before.software, [softwareType]: state } });
}

/** What the device is still offered after installing `version`: its previous offer if newer, else nothing. */
function stillOffered(old: SoftwareState | undefined, version: string): string | null {
  const offered = old?.availableVersion ?? null;
  if (offered === null) return null;
  return (compareVersions(offered, version) ?? 0) > 0 ? offered : null;
}
