// The manifests of one emulated tenant as the multi-tenant tests declare it in its namespace:
// the Tenant (its credentials from a Secret in the cluster or from a file), and the policy
// `fast` with the group `rooms` wanting every device at the newest firmware and Teams app.

/** A tenant as `firmwarden emulator --tenants-out` lists it (the fields the manifests use). */
export interface EmulatedTenant { readonly tenantId: string; readonly clientId: string }

/** Where the Tenant's client secret is: a key of a Secret in its namespace, or a file. */
export type ClientSecretRef = { readonly name: string; readonly key: string } | { readonly file: string };

/** The Tenant `ns` in namespace `ns`, signing in as `t` with the secret at `secretRef`. */
export function tenantYaml(ns: string, t: EmulatedTenant, secretRef: ClientSecretRef, displayName?: string): string {
  const ref = 'file' in secretRef ? `{ file: ${secretRef.file} }` : `{ name: ${secretRef.name}, key: ${secretRef.key} }`;
  return `apiVersion: firmwarden.dev/v1alpha1
kind: Tenant
metadata: { name: ${ns}, namespace: ${ns} }
spec:${displayName === undefined ? '' : `\n  displayName: ${displayName}`}
  tenantId: ${t.tenantId}
  clientId: ${t.clientId}
  credentials: { clientSecret: { secretRef: ${ref} } }
`;
}

/**
 * The policy `fast` (everything at once, any time) and the group `rooms` (every device) in
 * namespace `ns`. It does not wait for devices in use: the emulators of these tests run their
 * clocks 120 times faster, so their rooms go in and out of meetings every few seconds, while a
 * device found busy is read again only 5 wall-clock minutes later (activityFreshMs) — whether a
 * tenant converged within the tests' wait would depend on the hour of day (it did, in CI).
 * Rooms in use have their own tests (test/policy/in-use, test/plan/room-holds, test/reconcile/rooms).
 */
export function roomsYaml(ns: string): string {
  return `apiVersion: firmwarden.dev/v1alpha1
kind: UpdatePolicy
metadata: { name: fast, namespace: ${ns} }
spec:
  software:
    firmware: { mode: automatic, phase: Test }
    teamsClient: { mode: automatic, phase: Test }
  maintenanceWindows:
    - { name: always, days: [Mon, Tue, Wed, Thu, Fri, Sat, Sun], start: "00:00", end: "23:59" }
  rollout:
    waves: [{ name: all, percent: 100 }]
    maxConcurrent: 10
    skipDevicesInUse: false
---
apiVersion: firmwarden.dev/v1alpha1
kind: DeviceGroup
metadata: { name: rooms, namespace: ${ns} }
spec:
  policyRef: { name: fast }
  selector: {}
`;
}
