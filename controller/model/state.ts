// The controller's own durable memory, beside the manifests: when each version was first
// seen (the API gives no release dates), the operations it started, and rollout progress; and
// the port it is kept behind (StateStore: a file, a ConfigMap, memory). Types and the empty state
// only: the stores live in controller/state/ and controller/kube/.
// Everything here can be lost without harm to devices — in-flight operations are re-read from
// the fleet before anything starts — but release dates restart from "now" when it is.

import type { HealthAspect, SoftwareType } from './fleet.ts';
import type { NotificationMemory } from './notification-events.ts';

/** What the engine remembers of a rollout between plans (persisted by the caller). */
export interface RolloutMemory {
  /** When the failure threshold stopped it. */
  readonly stoppedAt: number;
  readonly reason: string;
}

/** First-seen time of a version offered to a model: the release date phases count from. */
export interface ReleaseRecord {
  readonly model: string;
  readonly softwareType: SoftwareType;
  readonly version: string;
  /** ms since epoch */
  readonly firstSeen: number;
}

/** An operation the controller started (or adopted), until it ends and is reported. */
export interface LedgerEntry {
  readonly deviceId: string;
  readonly softwareType: SoftwareType;
  readonly version: string;
  /** Undefined between "about to POST" and the answer: such an entry is resolved from the fleet's operation list. */
  readonly operationId: string | undefined;
  /** The manifest whose rule started it (namespace/Kind/name). */
  readonly owner: string;
  /**
   * For a ScheduledUpdate: the digest of its spec when it started this (policy/spec-digest.ts).
   * An edited ScheduledUpdate runs again: operations of another spec are no longer its own.
   * Absent in entries written before digests existed, which count for any spec.
   */
  readonly ownerSpecDigest?: string;
  readonly requestedAt: number;
  readonly state: 'starting' | 'queued' | 'scheduled' | 'inProgress' | 'succeeded' | 'failed' | 'cancelled' | 'unknown';
  readonly endedAt: number | undefined;
  readonly error: { readonly code: string | null; readonly message: string | null } | undefined;
  /** Current version before the update, to prove afterwards that nothing went backwards. */
  readonly fromVersion: string | null;
  /**
   * How long after requestedAt the operation may stay active before it is recorded as failed
   * (TimedOut): the owning policy's operationTimeout when it started. Absent in entries written
   * before timeouts existed, which get the default (4h).
   */
  readonly timeoutMs?: number;
  /**
   * The health aspects that were fine when the update was asked for (a health soak compares
   * the device's health after the update with these). Absent when the health was not read.
   */
  readonly healthBefore?: readonly HealthAspect[];
  /** The device's wave in its group's rollout when the update started (its soak rule). */
  readonly wave?: number;
}

/** A health regression a soak found: what stopped working on a device after an update. */
export interface RegressionRecord {
  readonly deviceId: string;
  readonly softwareType: SoftwareType;
  readonly version: string;
  /** The update's requestedAt (with device and type, which update it was). */
  readonly requestedAt: number;
  /** When it was first seen. */
  readonly at: number;
  /** What regressed, in words: "camera unhealthy", "Teams sign-in lost". */
  readonly what: readonly string[];
  /** The device as admins name it when it was seen (a room's name, else hardware id or serial). */
  readonly device: string;
}

/**
 * A device of a group some policy takes evidence from, running a version after an update
 * firmwarden made: it counts for that version while its health stays as good as before.
 */
export interface EvidenceRecord {
  /** The DeviceGroup's key (namespace/name). */
  readonly group: string;
  readonly deviceId: string;
  readonly softwareType: SoftwareType;
  readonly version: string;
  /** When the update ended: the evidence counts from then. */
  readonly since: number;
  /** The last time it was seen still on the version and as healthy as before. */
  readonly healthyUntil: number;
  /** Health aspects fine before the update (from the ledger), to judge it after the ledger forgot. */
  readonly healthBefore: readonly HealthAspect[];
  /** When it was seen regressed: it never counts again. */
  readonly regressedAt?: number;
  /** True once it was seen on another version (or gone): its healthy time stops growing. */
  readonly left?: boolean;
}

/** What health soaks and evidence remember between reconciles. */
export interface HealthMemory {
  readonly regressions: readonly RegressionRecord[];
  readonly evidence: readonly EvidenceRecord[];
}

/** Everything the controller remembers: the whole content of the state file (or ConfigMap). */
export interface ControllerState {
  readonly version: 1;
  readonly releases: readonly ReleaseRecord[];
  readonly ledger: readonly LedgerEntry[];
  /** Rollout bookkeeping per `${policyKey}|${softwareType}|${version}`, owned by the engine. */
  readonly rollouts: Readonly<Record<string, unknown>>;
  /** Events already announced and messages not yet delivered (controller/notify/); absent until a NotificationRule exists. */
  readonly notifications?: NotificationMemory;
  /** Regressions found by health soaks and evidence for versions (policy/health-soak.ts, evidence.ts); absent until there are some. */
  readonly health?: HealthMemory;
}

/** The state of a controller that remembers nothing yet. */
export const emptyState: ControllerState = Object.freeze({ version: 1, releases: [], ledger: [], rollouts: {} });

/** Where the state lives: a file in the data directory, a ConfigMap, memory in tests. */
export interface StateStore {
  load(): Promise<ControllerState>;
  /** Replaces the stored state atomically: a crash leaves the old or the new state, never half. */
  save(state: ControllerState): Promise<void>;
}

/** What the release calendar file (.firmwarden/releases.json, state/calendar-file.ts) remembers. */
export interface RememberedCalendar {
  /** First-seen times of versions: the release dates phases count from. */
  readonly releases: readonly ReleaseRecord[];
  /** Rollouts the failure threshold stopped, by `namespace/policy|softwareType`. */
  readonly rollouts: Readonly<Record<string, RolloutMemory>>;
  /** Evidence for versions (policy/evidence.ts); absent or empty: the file has no `evidence` list. */
  readonly evidence?: readonly EvidenceRecord[];
}
