// Which reconcile a pass runs: the source is synced once; when its manifests declare Tenants,
// the pass goes over the tenants (tenant-pass.ts), else the single reconcile runs exactly as
// before Tenants existed, on that same sync (it is handed the result instead of syncing again).
// Whether a snapshot declares Tenants is first read from the text (a `kind: Tenant` line), so a
// repository without any is never parsed twice; a line that only looks like one is settled by
// the parse.
import type { Clock } from '../model/clock.ts';
import type { Finding } from '../manifest/finding.ts';
import type { ManifestEntry, ParsedDesired } from '../model/desired.ts';
import type { DesiredStateSource, Snapshot } from '../model/source.ts';
import { SourceError } from '../model/source.ts';
import type { ReconcileOutcome } from '../model/reconcile.ts';
import type { ReconcileFn } from '../reconcile/loop.ts';
import type { Tenant } from '../model/manifests.generated.ts';
import type { Fleet } from '../model/fleet.ts';
import type { StateStore } from '../model/state.ts';
import type { PassInput } from './tenant-world.ts';
import type { TenantPass } from './tenant-pass.ts';

/** How a controller serves Tenants when the manifests declare them (run and run --kubernetes give it). */
export interface ControllerTenants {
  /** A Tenant's own Fleet (config/tenant-run.ts tenantConnector). */
  readonly connect: (tenant: Tenant) => Fleet;
  /** A tenant's state. Default: the file <state>.d/<namespace>.json. */
  readonly stateStoreFor?: (namespace: string) => StateStore;
  /** Tenants reconciled at once. Default 4. */
  readonly concurrency?: number;
  /** Sharding: whether this replica works on (and may start operations for) a namespace now. Default: all. */
  readonly owns?: (namespace: string) => boolean;
  /** Only Tenants are served: without any declared, nothing is reconciled (sharded replicas). Default: false. */
  readonly only?: boolean;
}

/** A sync's result handed back as the sync itself would have given it. */
export function replaySync(synced: PassInput['synced']): Promise<Snapshot> {
  return 'snapshot' in synced ? Promise.resolve(synced.snapshot) : Promise.reject(synced.error);
}

const tenantLine = /^kind:[ \t]*["']?Tenant["']?[ \t]*(#.*)?$/m;

/** True when some file of the snapshot may declare a Tenant. */
export function mayDeclareTenants(snapshot: Snapshot): boolean {
  return snapshot.files.some((f) => tenantLine.test(f.text));
}

/** What the dispatcher needs. */
export interface DispatchDeps {
  readonly source: Pick<DesiredStateSource, 'sync'>;
  readonly parse: (files: Snapshot['files'], now: number) => ParsedDesired<ManifestEntry, Finding>;
  readonly clock: Clock;
  /** The single reconcile, to run on `synced` (its sync port must hand that back). */
  readonly single: (info: { reconcileId: number }, synced: PassInput['synced']) => Promise<ReconcileOutcome>;
  readonly tenants: TenantPass;
  /** The later signal I/O keeps after a stop (the reconcile in progress still writes status). */
  readonly io: AbortSignal;
  /** Told which kind of pass ran (the controller's metrics and readiness). */
  readonly onPass?: (kind: 'single' | 'tenants') => void;
}

/** The loop's reconcile function choosing, each pass, between the tenants and the single reconcile. */
export function dispatchReconcile(deps: DispatchDeps): ReconcileFn {
  return async ({ reconcileId, signal }) => {
    let synced: PassInput['synced'];
    try {
      synced = { snapshot: await deps.source.sync(deps.io) };
    } catch (error) {
      synced = { error };
    }
    const snapshot = 'snapshot' in synced ? synced.snapshot : synced.error instanceof SourceError ? synced.error.lastSnapshot : undefined;
    if (snapshot !== undefined && mayDeclareTenants(snapshot)) {
      const parsed = deps.parse(snapshot.files, deps.clock.now());
      if (parsed.manifests.some((m) => m.kind === 'Tenant')) {
        deps.onPass?.('tenants');
        return deps.tenants.run({ reconcileId, stop: signal, io: deps.io }, synced, snapshot, parsed);
      }
    }
    deps.onPass?.('single');
    return deps.single({ reconcileId }, synced);
  };
}
