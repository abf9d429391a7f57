// REST coordinates of the resources the controller reads and writes, and the URL paths the
// API server serves them under.

/** A namespaced or cluster-wide resource type. */
export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

/** The firmwarden custom resources. */
export const deviceGroups: ResourceType = { group: 'firmwarden.dev', version: 'v1alpha1', plural: 'devicegroups', kind: 'DeviceGroup' };
export const updatePolicies: ResourceType = { group: 'firmwarden.dev', version: 'v1alpha1', plural: 'updatepolicies', kind: 'UpdatePolicy' };
export const scheduledUpdates: ResourceType = { group: 'firmwarden.dev', version: 'v1alpha1', plural: 'scheduledupdates', kind: 'ScheduledUpdate' };
export const notificationChannels: ResourceType = { group: 'firmwarden.dev', version: 'v1alpha1', plural: 'notificationchannels', kind: 'NotificationChannel' };
export const notificationRules: ResourceType = { group: 'firmwarden.dev', version: 'v1alpha1', plural: 'notificationrules', kind: 'NotificationRule' };
export const tenants: ResourceType = { group: 'firmwarden.dev', version: 'v1alpha1', plural: 'tenants', kind: 'Tenant' };
/** Every kind the controller watches (the notification kinds and Tenant are read, never given a status). */
export const firmwardenResources = [deviceGroups, updatePolicies, scheduledUpdates, notificationChannels, notificationRules, tenants] as const;

export const leases: ResourceType = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease' };
export const events: ResourceType = { group: 'events.k8s.io', version: 'v1', plural: 'events', kind: 'Event' };

/** apiVersion as written in manifests: "group/version", or "v1" for the core group. */
export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/**
 * The URL path of a collection (no name) or one object, optionally a subresource.
 * `namespace` undefined means all namespaces (for lists and watches).
 */
export function resourcePath(type: ResourceType, namespace: string | undefined, name?: string, subresource?: string): string {
  const base = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
  let path = namespace === undefined ? `${base}/${type.plural}` : `${base}/namespaces/${encodeURIComponent(namespace)}/${type.plural}`;
  if (name !== undefined) path += `/${encodeURIComponent(name)}`;
  if (subresource !== undefined) path += `/${subresource}`;
  return path;
}

/** The metadata fields every Kubernetes object has that the controller reads. */
export interface ObjectMeta {
  name: string;
  namespace?: string | undefined;
  uid?: string | undefined;
  resourceVersion?: string | undefined;
  generation?: number | undefined;
  creationTimestamp?: string | undefined;
  labels?: Record<string, string | undefined> | undefined;
  annotations?: Record<string, string | undefined> | undefined;
}

/** Any Kubernetes object, as far as the kube adapters care. */
export interface KubeObject {
  apiVersion?: string | undefined;
  kind?: string | undefined;
  metadata: ObjectMeta;
  spec?: unknown;
  status?: unknown;
}

/** "namespace/name" (or "name" for cluster-scoped objects): the key used in caches and logs. */
export function objectKey(obj: { metadata: { name: string; namespace?: string | undefined } }): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name;
}
