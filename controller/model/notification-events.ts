// The rollout events firmwarden can notify, and what the notifier remembers between reconciles
// (kept in the controller state, so a restart or the next leader neither repeats nor loses one).
// Types and constants only.

/** The event types a NotificationRule can ask for (schemas/notificationrule.schema.json). */
export const NotificationEventTypes = [
  'RolloutStopped',
  'WaveFinished',
  'ManifestStalled',
  'UpdateRefused',
  'ClampApplied',
  'ScheduledUpdateCompleted',
  'OperationTimedOut',
  'UpdateFailed',
] as const;
export type NotificationEventType = (typeof NotificationEventTypes)[number];

/** One thing that happened, as a message names it. Every text is plain (renderers escape it). */
export interface NotificationEvent {
  readonly type: NotificationEventType;
  /** Identity of this occurrence; equal keys are the same event (see derive-events.ts). */
  readonly key: string;
  /** `namespace/Kind/name` of the manifest the event is about. */
  readonly subject: string;
  /** That manifest's file, relative to the repository (or folder) root, when known. */
  readonly path?: string;
  /** Names (in the subject's namespace) of the DeviceGroups and UpdatePolicies it concerns: what rules filter on. */
  readonly groups: readonly string[];
  readonly policies: readonly string[];
  /** The device, as an admin knows it, for device events. */
  readonly device?: string;
  /** One sentence for people. */
  readonly text: string;
  /** When it happened (ms since the epoch): the failure, the stop, the completion, or when it was seen. */
  readonly time: number;
}

/** A message waiting to be delivered to a channel: the events one reconcile found for one rule. */
export interface PendingNotification {
  /** Delivery id: the same on every retry, so a receiver can drop a repeat. */
  readonly id: string;
  /** `namespace/name` of the NotificationRule. */
  readonly rule: string;
  /** `namespace/name` of the NotificationChannel. */
  readonly channel: string;
  readonly createdAt: number;
  /** Deliveries tried so far. Only a message never tried takes more events. */
  readonly attempts: number;
  readonly lastError?: string;
  /** At most maxEventsPerMessage; the rest are counted in omitted. */
  readonly events: readonly NotificationEvent[];
  readonly omitted: number;
}

/** What the notifier keeps in the controller state (ControllerState.notifications). */
export interface NotificationMemory {
  readonly version: 1;
  /**
   * Hash of every event key seen while its condition lasts → when it was last seen (s since the
   * epoch). A key not seen for an hour is forgotten: the condition ended, a new one is news.
   */
  readonly seen: Readonly<Record<string, number>>;
  /** `groupKey|softwareType` → the version and wave a rollout was last seen in (for WaveFinished). */
  readonly waves: Readonly<Record<string, { readonly version: string; readonly wave: number }>>;
  /** Messages not yet delivered, oldest first. */
  readonly outbox: readonly PendingNotification[];
}
