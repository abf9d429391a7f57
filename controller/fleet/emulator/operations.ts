// Device operations as the emulator stores them: timestamps decided when the operation is
// created, its status read off those timestamps at any `now`. Nothing ticks: an accelerated
// or manual clock just works, and a restart needs only the records.
import type { SoftwareType } from '../../model/fleet.ts';
import type { Random } from './prng.ts';

/** The three POST actions and the operation type each creates. */
export const actionOperationTypes = {
  updateSoftware: 'softwareUpdate',
  restart: 'deviceRestart',
  runDiagnostics: 'deviceDiagnostics',
} as const;
export type ActionName = keyof typeof actionOperationTypes;
export type OperationType = (typeof actionOperationTypes)[ActionName];

/** The emulator's internal statuses (the wire spelling is chosen by a quirk). */
export type OperationStatus = 'queued' | 'scheduled' | 'inProgress' | 'succeeded' | 'failed' | 'cancelled';
export type FinalStatus = 'succeeded' | 'failed' | 'cancelled';

export interface OperationError {
  readonly code: string;
  readonly message: string;
}

export interface OperationRecord {
  readonly id: string;
  readonly deviceIndex: number;
  readonly operationType: OperationType;
  readonly createdAt: number;
  /** End of `queued`. */
  readonly queuedUntil: number;
  /** End of `scheduled` (equal to queuedUntil when there is no scheduled phase). */
  readonly scheduledUntil: number;
  /** When it reaches its outcome; null for a stuck operation (never leaves inProgress). */
  readonly completesAt: number | null;
  readonly outcome: 'succeeded' | 'failed';
  readonly error: OperationError | null;
  /** Kept internally: the wire operation carries no software type or version. */
  readonly softwareType?: SoftwareType;
  readonly fromVersion?: string | null;
  readonly toVersion?: string | null;
  readonly createdBy: { readonly id: string; readonly displayName: string };
  /** Set by a control call. */
  cancelledAt?: number;
  /** Final status once applied to the device; from then on the clock no longer matters. */
  settled?: FinalStatus;
}

/** Durations of the phases, in clock time. */
export interface OperationTiming {
  /** queued → (scheduled or) inProgress; default 60 s. */
  readonly queuedMs: number;
  /** Length of the scheduled phase; default 0 (no scheduled phase). */
  readonly scheduledMs: number;
  /** inProgress → final; default 4 min. */
  readonly inProgressMs: number;
  /** Each duration is scaled by a factor in [1 - jitter, 1 + jitter]; default 0.25. */
  readonly jitter: number;
}

export const defaultTiming: OperationTiming = { queuedMs: 60_000, scheduledMs: 0, inProgressMs: 240_000, jitter: 0.25 };

/** Decides when an operation created at `createdAt` changes phase. */
export function planTimeline(
  createdAt: number,
  timing: OperationTiming,
  random: Random,
  options: { stuck: boolean; rejectOnPickup: boolean },
): { queuedUntil: number; scheduledUntil: number; completesAt: number | null } {
  const scale = (ms: number) => Math.round(ms * (1 + timing.jitter * (2 * random() - 1)));
  const queuedUntil = createdAt + scale(timing.queuedMs);
  const scheduledUntil = queuedUntil + scale(timing.scheduledMs);
  // A request the device rejects outright (downgrade, unknown version) fails as soon as it is picked up.
  if (options.rejectOnPickup) return { queuedUntil, scheduledUntil: queuedUntil, completesAt: queuedUntil };
  return { queuedUntil, scheduledUntil, completesAt: options.stuck ? null : scheduledUntil + scale(timing.inProgressMs) };
}

/** The status of an operation at `now`. */
export function operationStatusAt(op: OperationRecord, now: number): OperationStatus {
  if (op.settled) return op.settled;
  if (op.cancelledAt !== undefined && now >= op.cancelledAt) return 'cancelled';
  if (now < op.queuedUntil) return 'queued';
  if (now < op.scheduledUntil) return 'scheduled';
  if (op.completesAt === null || now < op.completesAt) return 'inProgress';
  return op.outcome;
}

/** True while the operation may still run. */
export function isActiveStatus(status: OperationStatus): boolean {
  return status === 'queued' || status === 'scheduled' || status === 'inProgress';
}

/** started / completed / last-action instants at `now` (null when not reached yet). */
export function operationTimesAt(op: OperationRecord, now: number): { startedAt: number | null; completedAt: number | null; lastActionAt: number } {
  const status = operationStatusAt(op, now);
  if (status === 'cancelled') {
    const at = op.cancelledAt ?? op.createdAt;
    return { startedAt: at >= op.scheduledUntil ? op.scheduledUntil : null, completedAt: at, lastActionAt: at };
  }
  if (status === 'queued') return { startedAt: null, completedAt: null, lastActionAt: op.createdAt };
  if (status === 'scheduled') return { startedAt: null, completedAt: null, lastActionAt: op.queuedUntil };
  if (status === 'inProgress') return { startedAt: op.scheduledUntil, completedAt: null, lastActionAt: op.scheduledUntil };
  const completedAt = op.completesAt ?? op.scheduledUntil;
  return { startedAt: op.scheduledUntil, completedAt, lastActionAt: completedAt };
}
