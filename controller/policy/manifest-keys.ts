// How manifests are named inside the engine: `namespace/name` for groups and policies (references
// stay within a namespace), `namespace/Kind/name` for one manifest anywhere (findings, statuses,
// events, the owner of an operation in the ledger). Every such key is spelled by kindKey below.
import type { ObjectMeta } from '../model/manifests.generated.ts';

/** namespace/name, the namespace defaulting to 'default'. */
export function objectKey(metadata: ObjectMeta): string {
  return `${metadata.namespace ?? 'default'}/${metadata.name}`;
}

/** namespace/name of an object referenced from `from`'s namespace. */
export function refKey(from: ObjectMeta, name: string): string {
  return `${from.namespace ?? 'default'}/${name}`;
}

/** namespace/Kind/name: how findings, statuses, events and the ledger name one manifest; no namespace means 'default'. */
export function kindKey(namespace: string | undefined, kind: string, name: string): string {
  return `${namespace ?? 'default'}/${kind}/${name}`;
}

/** namespace/Kind/name: who started an operation. */
export function ownerKey(kind: 'UpdatePolicy' | 'ScheduledUpdate' | 'DeviceGroup', metadata: ObjectMeta): string {
  return kindKey(metadata.namespace, kind, metadata.name);
}

/** The name people read: `name`, or `namespace/name` outside the default namespace. */
export function displayName(key: string): string {
  const parts = key.split('/');
  const name = parts[parts.length - 1] ?? key;
  return parts[0] === 'default' ? name : `${parts[0]}/${name}`;
}
