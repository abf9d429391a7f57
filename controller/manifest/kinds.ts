// The kinds firmwarden reads, their apiVersion, and how a manifest is keyed.
import type { DeviceGroup, NotificationChannel, NotificationRule, ScheduledUpdate, Tenant, UpdatePolicy } from '../model/manifests.generated.ts';
import { kindKey } from '../policy/manifest-keys.ts';

export const apiGroup = 'firmwarden.dev';
export const apiVersion = 'firmwarden.dev/v1alpha1';

/** The kinds, in the order messages list them. */
export const kinds = ['DeviceGroup', 'UpdatePolicy', 'ScheduledUpdate', 'NotificationChannel', 'NotificationRule', 'Tenant'] as const;
export type Kind = (typeof kinds)[number];

/** The manifest type of each kind. */
export interface KindMap {
  DeviceGroup: DeviceGroup;
  UpdatePolicy: UpdatePolicy;
  ScheduledUpdate: ScheduledUpdate;
  NotificationChannel: NotificationChannel;
  NotificationRule: NotificationRule;
  Tenant: Tenant;
}

/** True for the names of the kinds. */
export function isKind(value: unknown): value is Kind {
  return (kinds as readonly unknown[]).includes(value);
}

/** The namespace references resolve in: metadata.namespace, or 'default'. */
export function namespaceOf(manifest: unknown): string {
  const ns = (manifest as { metadata?: { namespace?: unknown } } | null)?.metadata?.namespace;
  return typeof ns === 'string' && ns !== '' ? ns : 'default';
}

/** metadata.name when it is text, else ''. */
export function nameOf(manifest: unknown): string {
  const name = (manifest as { metadata?: { name?: unknown } } | null)?.metadata?.name;
  return typeof name === 'string' ? name : '';
}

/** `namespace/Kind/name` of a manifest given as parsed (policy/manifest-keys.ts kindKey). */
export function manifestKey(kind: Kind, manifest: unknown): string {
  return kindKey(namespaceOf(manifest), kind, nameOf(manifest));
}
