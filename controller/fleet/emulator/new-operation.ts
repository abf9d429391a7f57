// What a POST action creates, decided in one pure step: the target of an update (or why the
// device will reject it), whether it fails (offline device, seeded failure rate), its id and
// its timeline. Every draw comes from (seed, device, sequence), so a run repeats exactly.
import { SoftwareTypes, type SoftwareType } from '../../model/fleet.ts';
import { models, platformSoftware } from './catalog.ts';
import type { DeviceRecord } from './fleet-gen.ts';
import { actionOperationTypes, planTimeline, type ActionName, type OperationError, type OperationRecord, type OperationTiming } from './operations.ts';
import { createRandom, mix, pick, randomHex } from './prng.ts';
import type { Release } from './releases-gen.ts';
import { checkUpdateTarget, findAvailableVersion } from './software-status.ts';

/** Everything the decision reads; the two functions are called for updateSoftware only. */
export interface NewOperationInput {
  readonly seed: number;
  readonly record: DeviceRecord;
  /** How many operations the device had before this one. */
  readonly sequence: number;
  readonly action: ActionName;
  readonly params: { readonly softwareType?: SoftwareType; readonly softwareVersion?: string | null };
  readonly app: { readonly id: string; readonly displayName: string };
  readonly now: number;
  readonly timing: OperationTiming;
  /** The failure rate of the device's model (halved for restarts and diagnostics). */
  readonly failureRate: number;
  /** Whether the stuck-operation fault struck. */
  readonly stuck: boolean;
  readonly installed: () => Partial<Record<SoftwareType, string>>;
  readonly releasesOf: (type: SoftwareType) => readonly Release[];
}

export type NewOperation = { readonly kind: 'created'; readonly operation: OperationRecord } | { readonly kind: 'invalid'; readonly message: string };

const failureCodes: readonly OperationError[] = [
  { code: 'DownloadFailed', message: 'The device could not download the software package.' },
  { code: 'InstallationFailed', message: 'The software package failed to install; the device kept its previous version.' },
  { code: 'DeviceBusy', message: 'The device was in a meeting for the whole update window.' },
];
const offline: OperationError = { code: 'DeviceOffline', message: 'The device did not respond before the operation timed out.' };
const opSalt = 201;

/** Decides the operation an action starts, or why the request is unusable. */
export function decideNewOperation(input: NewOperationInput): NewOperation {
  const { record, action, now } = input;
  const spec = models[record.modelIndex]!;
  let outcome: 'succeeded' | 'failed' = 'succeeded';
  let error: OperationError | null = null;
  let rejectOnPickup = false;
  let target: { softwareType: SoftwareType; fromVersion: string | null; toVersion: string | null } | undefined;
  const random = createRandom(mix(input.seed, record.index, input.sequence, opSalt));
  if (action === 'updateSoftware') {
    const type = input.params.softwareType;
    if (type === undefined || !SoftwareTypes.includes(type)) return { kind: 'invalid', message: 'softwareType must be one of ' + SoftwareTypes.join(', ') };
    if (!platformSoftware[spec.platform].includes(type)) {
      return { kind: 'invalid', message: `A ${spec.manufacturer} ${spec.model} does not support updates of ${type}.` };
    }
    const current = input.installed()[type] ?? null;
    const releases = input.releasesOf(type);
    const requested = input.params.softwareVersion ?? null;
    const toVersion = requested ?? (current === null ? null : findAvailableVersion(current, releases, now));
    target = { softwareType: type, fromVersion: current, toVersion };
    const rejection = checkUpdateTarget(type, spec.model, current, toVersion, releases, now);
    if (rejection) {
      outcome = 'failed';
      error = rejection;
      rejectOnPickup = true;
    }
  }
  const failureRate = input.failureRate / (action === 'updateSoftware' ? 1 : 2);
  const draw = random();
  if (!error && record.healthStatus === 'offline') {
    outcome = 'failed';
    error = offline;
  } else if (!error && draw < failureRate) {
    outcome = 'failed';
    error = pick(random, failureCodes);
  }
  const id = `${randomHex(random, 8)}-${randomHex(random, 4)}-4${randomHex(random, 3)}-a${randomHex(random, 3)}-${randomHex(random, 12)}`;
  const timeline = planTimeline(now, input.timing, random, { stuck: input.stuck && !rejectOnPickup, rejectOnPickup });
  const operation: OperationRecord = {
    id, deviceIndex: record.index, operationType: actionOperationTypes[action], createdAt: now, ...timeline, outcome, error,
    createdBy: { id: input.app.id, displayName: input.app.displayName }, ...(target ?? {}),
  };
  return { kind: 'created', operation };
}
