// What the tenants benchmark declares and how it sees each tenant's first reconcile. Per
// emulated tenant, one namespace with a Tenant (its own app, its client secret in a file of its
// own outside the manifests, its rate limit as the emulator's), an UpdatePolicy wanting
// firmware and the Teams app at the newest version with a window that is always open (so the
// first reconcile also starts updates, a few at a time) and a DeviceGroup of every device.
// Progress comes from the controllers' /metrics: a tenant's reconcile is counted under its
// `tenant` label when it ends, so the first series above zero is its first reconcile.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { TenantInfo, TenantList } from '../../controller/fleet/emulator/emulator-options.ts';

export type { TenantInfo, TenantList };

const everyType = ['ipPhone', 'teamsRoom', 'collaborationBar', 'teamsPanel', 'teamsDisplay', 'touchConsole', 'sip', 'lowCostPhone', 'surfaceHub', 'unknown'];
const apiVersion = 'firmwarden.dev/v1alpha1';

/** The namespace a tenant's manifests live in (the emulator's names are DNS labels: tenant-007). */
export function namespaceOf(tenant: TenantInfo): string {
  return tenant.name;
}

/** The three manifests of one tenant; `secretFile` holds its client secret. */
export function tenantManifests(tenant: TenantInfo, secretFile: string): Record<string, unknown>[] {
  const namespace = namespaceOf(tenant);
  return [
    {
      apiVersion, kind: 'Tenant', metadata: { name: namespace, namespace },
      spec: {
        displayName: `Emulated customer ${tenant.index}`, tenantId: tenant.tenantId, clientId: tenant.clientId,
        credentials: { clientSecret: { secretRef: { file: secretFile } } },
        // The emulator's limit for this tenant is the one to stay within (0 there: no limit).
        ...(tenant.rateLimit > 0 ? { rateLimitPerSecond: tenant.rateLimit } : {}),
      },
    },
    {
      apiVersion, kind: 'UpdatePolicy', metadata: { name: 'newest', namespace },
      spec: {
        description: 'Firmware and the Teams app at the newest version, a few devices at a time (benchmark).',
        software: { firmware: { mode: 'automatic', phase: 'Test' }, teamsClient: { mode: 'automatic', phase: 'Test' } },
        maintenanceWindows: [{ name: 'always', days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'], start: '00:00', duration: '24h' }],
        rollout: { waves: [{ percent: 100 }], maxConcurrent: 10, skipDevicesInUse: false },
      },
    },
    {
      apiVersion, kind: 'DeviceGroup', metadata: { name: 'everything', namespace },
      spec: { policyRef: { name: 'newest' }, selector: { deviceTypes: everyType }, timeZone: 'UTC' },
    },
  ];
}

/** Writes each tenant's secret to `secrets/<namespace>` (mode 600); the file paths by namespace. */
export function writeSecrets(list: TenantList, secretsDir: string): Map<string, string> {
  mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
  const files = new Map<string, string>();
  for (const t of list.tenants) {
    const file = join(secretsDir, namespaceOf(t));
    writeFileSync(file, `${t.clientSecret}\n`, { mode: 0o600 });
    files.set(namespaceOf(t), file);
  }
  return files;
}

/** The manifest folder for `run --dir`: `<dir>/<namespace>/tenant.yaml` and `rooms.yaml`. */
export function writeTenantFolder(list: TenantList, dir: string, secrets: ReadonlyMap<string, string>): void {
  for (const t of list.tenants) {
    const ns = namespaceOf(t);
    const [tenant, ...rest] = tenantManifests(t, secrets.get(ns)!);
    mkdirSync(join(dir, ns), { recursive: true });
    writeFileSync(join(dir, ns, 'tenant.yaml'), stringify(tenant));
    writeFileSync(join(dir, ns, 'rooms.yaml'), rest.map((m) => stringify(m)).join('---\n'));
  }
}

/** One `controller_runtime_reconcile_total` series. */
export interface ReconcileSeries {
  readonly tenant: string | undefined;
  readonly result: string;
  readonly value: number;
}

/** The firmwarden controller's reconcile counters in a /metrics text. */
export function reconcileSeries(metricsText: string): ReconcileSeries[] {
  const out: ReconcileSeries[] = [];
  for (const line of metricsText.split('\n')) {
    const m = /^controller_runtime_reconcile_total\{([^}]*)\}\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[1]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
    if (labels.controller !== 'firmwarden') continue;
    out.push({ tenant: labels.tenant, result: labels.result ?? '', value: Number(m[2]) });
  }
  return out;
}

/**
 * When each tenant's first reconcile ended, as seen by polling the replicas' /metrics. A tenant
 * whose reconciles so far all failed is kept apart: it has not completed a reconcile. Series
 * without a tenant label mean a pass ran as ONE tenant (a controller without Tenant support).
 */
export class FirstReconciles {
  readonly #first = new Map<string, { atMs: number; replica: number }>();
  readonly #failed = new Map<string, number>();
  readonly #replicasSeen = new Set<number>();
  #untenanted = 0;

  /** Takes one replica's /metrics text read at `atMs` (ms since the start). */
  observe(replica: number, atMs: number, metricsText: string): void {
    for (const s of reconcileSeries(metricsText)) {
      if (s.value <= 0) continue;
      if (s.tenant === undefined) {
        this.#untenanted = Math.max(this.#untenanted, s.value);
        continue;
      }
      this.#replicasSeen.add(replica);
      if (s.result === 'error') this.#failed.set(s.tenant, Math.max(this.#failed.get(s.tenant) ?? 0, s.value));
      else if (!this.#first.has(s.tenant)) this.#first.set(s.tenant, { atMs, replica });
    }
  }

  /** Tenants with a completed reconcile. */
  get done(): number {
    return this.#first.size;
  }

  /** Reconciles counted without a tenant label (the single-tenant pass). */
  get untenanted(): number {
    return this.#untenanted;
  }

  /** Replicas that reconciled at least one tenant. */
  get replicas(): number {
    return this.#replicasSeen.size;
  }

  /** Tenants that failed and never completed, with their failure counts. */
  failing(): [string, number][] {
    return [...this.#failed].filter(([t]) => !this.#first.has(t));
  }

  /** Times (ms since the start) of each tenant's first completed reconcile, ascending. */
  times(): number[] {
    return [...this.#first.values()].map((f) => f.atMs).sort((a, b) => a - b);
  }

  /** Tenants each replica reconciled first. */
  perReplica(): Map<number, number> {
    const out = new Map<number, number>();
    for (const f of this.#first.values()) out.set(f.replica, (out.get(f.replica) ?? 0) + 1);
    return out;
  }

  has(tenant: string): boolean {
    return this.#first.has(tenant);
  }
}
