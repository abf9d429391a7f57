// The few Lease calls sharding makes, each guarded so that two replicas racing cannot both win:
// a write carries the resourceVersion it read (409 Conflict for the loser), a create fails with
// 409 AlreadyExists when someone was first, a delete names the version it saw.
import type { KubeClient } from './kube-client.ts';
import { isAlreadyExists, isConflict, isNotFound } from './kube-error.ts';
import { leases, resourcePath, apiVersionOf } from './resources.ts';
import type { LeaseSpec } from './lease-record.ts';

/** A Lease as the API server returns it. */
export interface LeaseObject {
  metadata: { name: string; namespace?: string; resourceVersion?: string; uid?: string };
  spec?: LeaseSpec;
}

/** Every Lease of `namespace` (one consistent read: no resourceVersion, so not from a cache). */
export async function listLeases(client: KubeClient, namespace: string, timeoutMs: number): Promise<LeaseObject[]> {
  const list = await client.request<{ items?: LeaseObject[] }>({ path: resourcePath(leases, namespace), timeoutMs });
  return list.items ?? [];
}

/**
 * Writes `spec` over `current` if nobody changed it since it was read, or creates the Lease
 * when `current` is undefined. The new object, or undefined when another replica was first.
 */
export async function writeLease(client: KubeClient, namespace: string, name: string, current: LeaseObject | undefined, spec: LeaseSpec, timeoutMs: number): Promise<LeaseObject | undefined> {
  const body = { apiVersion: apiVersionOf(leases), kind: 'Lease', metadata: current?.metadata ?? { name, namespace }, spec };
  try {
    return current === undefined
      ? await client.request<LeaseObject>({ method: 'POST', path: resourcePath(leases, namespace), body, timeoutMs })
      : await client.request<LeaseObject>({ method: 'PUT', path: resourcePath(leases, namespace, name), body, timeoutMs });
  } catch (error) {
    if (isConflict(error) || isAlreadyExists(error) || (current !== undefined && isNotFound(error))) return undefined;
    throw error;
  }
}

/** Deletes `lease` if it is still the version we read; false when it changed or is gone. */
export async function deleteLease(client: KubeClient, namespace: string, lease: LeaseObject, timeoutMs: number): Promise<boolean> {
  try {
    await client.request({
      method: 'DELETE',
      path: resourcePath(leases, namespace, lease.metadata.name),
      body: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: lease.metadata.uid, resourceVersion: lease.metadata.resourceVersion } },
      timeoutMs,
    });
    return true;
  } catch (error) {
    if (isConflict(error) || isNotFound(error)) return false;
    throw error;
  }
}
