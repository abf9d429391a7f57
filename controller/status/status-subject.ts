// What a manifest's status is computed from (the subject and the options), and the status types shared by every kind.
import type { DeviceGroupStatus, ObjectMeta, ScheduledUpdateStatus, UpdatePolicy, UpdatePolicyStatus } from '../model/manifests.generated.ts';
import type { StatusDetail } from './people-fields.ts';

/** The kinds of manifest that carry a status. */
export type Kind = 'DeviceGroup' | 'UpdatePolicy' | 'ScheduledUpdate';
/** The status of any kind. */
export type AnyStatus = DeviceGroupStatus | UpdatePolicyStatus | ScheduledUpdateStatus;

/** A manifest whose status is to be computed. */
export interface StatusSubject {
  readonly kind: Kind;
  readonly metadata: ObjectMeta;
  /** The status it carries now (conditions keep their transition times from it). */
  readonly previous: AnyStatus | undefined;
  readonly valid: boolean;
  /** For invalid manifests: the findings, in words. */
  readonly problems: readonly string[];
  /** The UpdatePolicy itself (for its releases' eligible times), when kind is UpdatePolicy. */
  readonly policy?: UpdatePolicy;
  /** specDigest() of its spec, written as status.observedSpecDigest (valid manifests only). */
  readonly specDigest?: string;
}

/** How statuses are computed: the reconcile's now, how devices are named, and how much is written. */
export interface StatusOptions {
  readonly now: number;
  /** A name people recognise for a device (hardware unique id or serial). */
  readonly deviceName?: (deviceId: string) => string | undefined;
  /** A device as an admin knows it (people-fields.ts deviceLabel), for needsAttention. Default: its id. */
  readonly deviceLabel?: (deviceId: string) => string;
  /**
   * `summary`: only what stays short whatever the fleet size (Git repositories and folders,
   * where people review statuses in diffs); `full`: also the per-device lists and the release
   * calendar (the Kubernetes status subresource). Default: full.
   */
  readonly detail?: StatusDetail;
}

/** The conditions list of a status. */
export type Conditions = NonNullable<DeviceGroupStatus['conditions']>;
/** The rollouts list of a status. */
export type Rollouts = NonNullable<DeviceGroupStatus['rollouts']>;
