// `run --kubernetes --shards N`: every replica watches the custom resources, and each works on
// the Tenants whose shard (FNV-1a of the namespace mod N, kube/shard-assignment.ts) it holds
// (kube/shard-ownership.ts: a Lease per shard, a fair share per live replica) instead of one
// leader doing all. The gate owns(shard) decides every tenant pass and is checked again right
// before each update is posted; a shard handed over is released only after its tenants'
// reconciles ended and their state ConfigMaps (firmwarden-state-<namespace>) were saved, so the
// next holder carries on from the same ledger. A shard lost (renew deadline, taken over) stops
// its tenants at once; the process goes on with the others. Only Tenants are served: without
// any, a sharded replica reconciles nothing (one leader without --shards is for that).
import type { CommandIO } from './command.ts';
import { systemClock } from '../model/clock.ts';
import type { Logger } from '../log/logger.ts';
import type { Metrics } from '../server/metrics.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import type { KubeEventRecorder } from '../kube/event-recorder.ts';
import type { LeaderElectionTiming } from '../kube/leader-elector.ts';
import type { ShardOptions } from '../config/shard-options.ts';
import type { FleetOptions } from '../config/fleet-options.ts';
import type { Fleet } from '../model/fleet.ts';
import type { StateStore } from '../model/state.ts';
import type { LinkTemplates } from '../notify/render.ts';
import type { DeliveryPolicy } from '../notify/outbox.ts';
import { KubeSource } from '../kube/kube-source.ts';
import { ShardOwnership } from '../kube/shard-ownership.ts';
import { shardOf } from '../kube/shard-assignment.ts';
import { ConfigMapStateStore, StateConflictError } from '../kube/configmap-state-store.ts';
import { readSecretKey } from '../kube/secret-reader.ts';
import { startController, type RunningController } from '../run/controller.ts';
import { tenantStateConfigMap } from '../run/tenant-state.ts';
import { tenantConnector, type TenantRunOptions } from '../config/tenant-run.ts';
import { parseManifestTexts } from '../manifest/parse-manifests.ts';
import { replaceStatus } from '../manifest/status-writer.ts';

/** What the sharded run takes from run --kubernetes. */
export interface ShardedRun {
  readonly io: CommandIO;
  readonly client: KubeClient;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly events: KubeEventRecorder;
  readonly identity: string;
  readonly leaseNamespace: string;
  readonly watchNamespace: string | undefined;
  readonly timing: LeaderElectionTiming;
  readonly shards: ShardOptions;
  readonly tenants: TenantRunOptions;
  readonly fleetOptions: FleetOptions;
  /** The flags' fleet, if any: never used for a Tenant (a sharded replica serves Tenants only). */
  readonly fleet: Fleet | undefined;
  readonly stateConfigMap: string;
  readonly resyncMs: number;
  readonly notify: { readonly links?: LinkTemplates; readonly delivery?: Partial<DeliveryPolicy> };
  /** Told once the replica competes for shards (readiness). */
  readonly onReady: () => void;
}

/** Runs a sharded replica until SIGINT/SIGTERM; hands its shards over before it exits. */
export async function runSharded(r: ShardedRun): Promise<number> {
  const { client, logger, io } = r;
  const log = logger.child({ component: 'sharding' });
  const S = r.shards.shards;
  const secrets = { env: io.env, kubeSecret: (namespace: string, name: string, key: string) => readSecretKey(client, namespace, name, key) };
  let controller: RunningController | undefined;
  const ownership = new ShardOwnership({
    client, namespace: r.leaseNamespace, identity: r.identity, shards: S, memberLeasePrefix: r.shards.memberLeasePrefix, timing: r.timing, clock: systemClock, logger,
    onChange: ({ shard, owned }) => {
      if (owned) controller?.loop.trigger('shard');
      // The gate is closed already (owns() is false): the tenants stop starting at once; their
      // reconciles in progress end on their own and are released from memory.
      else void controller?.tenants?.release(namespacesOf(shard));
    },
    beforeRelease: async (shard) => {
      await controller?.tenants?.release(namespacesOf(shard));
    },
  });
  const namespacesOf = (shard: number) => controller?.tenants?.namespaces().filter((ns) => shardOf(ns, S) === shard) ?? [];
  const owns = (namespace: string) => ownership.owns(shardOf(namespace, S));
  const stateStoreFor = (namespace: string): StateStore => {
    const store = new ConfigMapStateStore(client, r.leaseNamespace, tenantStateConfigMap(r.stateConfigMap, namespace));
    return {
      load: () => store.load(),
      save: async (state) => {
        try {
          await store.save(state);
        } catch (error) {
          // Someone else wrote this tenant's state: it is not ours any more, whatever the Lease
          // said. Drop it; if its shard is still held, the next pass starts over from the ConfigMap.
          if (error instanceof StateConflictError) void controller?.tenants?.release([namespace]);
          throw error;
        }
      },
    };
  };
  const source = new KubeSource({ client, namespace: r.watchNamespace, clock: systemClock, logger, events: r.events, metrics: r.metrics });
  controller = await startController(
    {
      source: { kind: 'custom', source },
      http: undefined,
      statePath: '',
      requeue: { intervalMs: r.resyncMs },
      shutdownGraceMs: r.timing.leaseDurationMs - r.timing.renewDeadlineMs,
      notify: r.notify,
    },
    {
      ...(r.fleet ? { fleet: r.fleet } : {}), clock: systemClock, logger, parse: parseManifestTexts, replaceStatus, secrets, metrics: r.metrics,
      tenants: {
        connect: tenantConnector(r.tenants, r.fleetOptions, { logger, clock: systemClock, metrics: r.metrics, secrets }),
        stateStoreFor, concurrency: r.tenants.concurrency, owns, only: true,
      },
    },
    io.signal,
  );
  ownership.start();
  r.onReady();
  io.stderr.write(`firmwarden: ${r.identity} shares ${S} shards\n`);
  await new Promise<void>((resolve) => (io.signal.aborted ? resolve() : io.signal.addEventListener('abort', () => resolve(), { once: true })));
  log.info('stopping: handing the shards over');
  await ownership.stop();
  await controller.done;
  return 0;
}
