// `firmwarden run --kubernetes`: the controller in a cluster. Every replica serves /healthz,
// /readyz and /metrics and competes for a Lease; only the leader watches the custom resources,
// reconciles and writes status. A leader that loses the Lease stops starting operations at
// once and the process exits non-zero, so Kubernetes restarts it as a fresh standby.
import { hostname } from 'node:os';
import type { CommandIO } from './command.ts';
import { UsageError } from '../config/usage-error.ts';
import { parseFlags } from './parse-flags.ts';
import { systemClock } from '../model/clock.ts';
import { createLogger } from '../log/logger.ts';
import { fleetFlagNames, parseFleetOptions } from '../config/fleet-options.ts';
import { parseDuration, parseListen } from '../config/run-option-values.ts';
import { createFleet } from '../config/fleet-connection.ts';
import { startController } from '../run/controller.ts';
import { createMetrics } from '../server/metrics.ts';
import { startHttpServer } from '../server/http-server.ts';
import type { ReadinessCheck } from '../server/readiness.ts';
import { loadKubeAccess } from '../kube/kube-access.ts';
import { KubeClient } from '../kube/kube-client.ts';
import { KubeSource } from '../kube/kube-source.ts';
import { KubeEventRecorder } from '../kube/event-recorder.ts';
import { LeaderElector, defaultLeaderElectionTiming, type LeaderElectionTiming } from '../kube/leader-elector.ts';
import { ConfigMapStateStore, StateConflictError } from '../kube/configmap-state-store.ts';
import type { StateStore } from '../model/state.ts';
import { parseManifestTexts } from '../manifest/parse-manifests.ts';
import { replaceStatus } from '../manifest/status-writer.ts';
import { notifyFlags, resolveNotifyOptions } from '../config/notify-options.ts';
import { readSecretKey } from '../kube/secret-reader.ts';
import { resolveLogOptions } from '../config/log-options.ts';
import { kubernetesFlags } from './command-flags.ts';
import { resolveShardOptions, shardHelp } from '../config/shard-options.ts';
import { resolveTenantRunOptions, tenantConnector } from '../config/tenant-run.ts';
import { tenantStateConfigMap } from '../run/tenant-state.ts';

/** Help lines of the Kubernetes flags (shown by `firmwarden run --help`). */
export const kubernetesHelp = `Kubernetes (with --kubernetes; each also FIRMWARDEN_<FLAG>, e.g. FIRMWARDEN_LEASE_NAME):
  --kubeconfig FILE        cluster access (default: KUBECONFIG, ~/.kube/config, else the pod's service account)
  --context NAME           kubeconfig context (default: the current one)
  --namespace NS           watch one namespace (default: all)
  --lease-namespace NS     namespace of the Lease and state ConfigMap (default: POD_NAMESPACE, the context's, default)
  --lease-name NAME        leader election Lease (default: firmwarden-controller)
  --lease-duration D       --lease-renew-deadline D  --lease-retry-period D   (default: 15s, 10s, 2s)
  --state-configmap NAME   ConfigMap holding the controller state (default: firmwarden-state)
  --identity ID            this replica in the Lease and Events (default: POD_NAME, else hostname_pid)
  --listen HOST:PORT       health, readiness and metrics (default: 127.0.0.1:8080; in a pod 0.0.0.0:8080)
  --public-url, --repo-web-url as above (links in notifications). A NotificationChannel's secretRef may
                           name a Secret (name, key) of its namespace: grant the controller get on it.
  --global-rate, --tenant-concurrency as above. Each tenant's state: ConfigMap <--state-configmap>-<namespace>.
  The fleet flags are optional here too: without them only Tenants are served.
${shardHelp}
`;

type Env = Readonly<Record<string, string | undefined>>;

function envName(flag: string): string {
  return `FIRMWARDEN_${flag.toUpperCase().replaceAll('-', '_')}`;
}

/** Readiness of a replica: a standby is ready once it competes; the leader after its first reconcile. */
class ReplicaReadiness implements ReadinessCheck {
  state: 'starting' | 'standby' | 'leading' | 'reconciled' | 'stopping' = 'starting';
  check(): { ready: boolean; reason: string } {
    switch (this.state) {
      case 'standby':
      case 'reconciled':
        return { ready: true, reason: 'ok' };
      case 'starting':
        return { ready: false, reason: 'connecting to the Kubernetes API' };
      case 'leading':
        return { ready: false, reason: 'leading: waiting for the first sync and reconcile' };
      case 'stopping':
        return { ready: false, reason: 'stopping' };
    }
  }
}

/** Runs the controller against custom resources in a cluster until SIGINT/SIGTERM or lost leadership. */
export async function runKubernetes(args: string[], io: CommandIO): Promise<number> {
  // No fleet flags: only Tenants are served, each with its own credentials (run.ts).
  const { options: fleetOptions, rest, single } = parseFleetOptions(args, io.env, { fallback: 'tenants' });
  const values: Partial<Record<keyof typeof kubernetesFlags, string>> = parseFlags(rest, { options: kubernetesFlags, alsoKnown: [...fleetFlagNames, '--kubernetes'] }).values;
  const str = (flag: keyof typeof kubernetesFlags): string | undefined => {
    const v = values[flag] ?? io.env[envName(flag)];
    return v === undefined || v === '' ? undefined : v;
  };
  const duration = (flag: keyof typeof kubernetesFlags, fallback: number): number => {
    const v = str(flag);
    return v === undefined ? fallback : parseDuration(v);
  };
  const timing: LeaderElectionTiming = {
    leaseDurationMs: duration('lease-duration', defaultLeaderElectionTiming.leaseDurationMs),
    renewDeadlineMs: duration('lease-renew-deadline', defaultLeaderElectionTiming.renewDeadlineMs),
    retryPeriodMs: duration('lease-retry-period', defaultLeaderElectionTiming.retryPeriodMs),
  };
  if (!(timing.retryPeriodMs > 0 && timing.renewDeadlineMs > timing.retryPeriodMs && timing.leaseDurationMs > timing.renewDeadlineMs)) {
    throw new UsageError('leader election needs 0 < --lease-retry-period < --lease-renew-deadline < --lease-duration');
  }
  const listen = parseListen(str('listen') ?? '127.0.0.1:8080');
  const resyncMs = duration('resync', 60_000);
  // A pod's stderr is no terminal: json there unless asked otherwise.
  const logger = createLogger(resolveLogOptions(values, io.env, io.stderr as { isTTY?: boolean }));
  const identity = str('identity') ?? nonEmpty(io.env.POD_NAME) ?? `${hostname()}_${process.pid}`;
  const notify = resolveNotifyOptions(values, io.env);
  const shardOptions = resolveShardOptions({ shards: str('shards'), 'member-lease-prefix': str('member-lease-prefix') });
  const tenantOptions = resolveTenantRunOptions({ 'global-rate': str('global-rate'), 'tenant-concurrency': str('tenant-concurrency') }, io.env);
  const stateConfigMap = str('state-configmap') ?? 'firmwarden-state';

  const access = await loadKubeAccess({ kubeconfig: str('kubeconfig'), context: str('context') });
  const client = new KubeClient(access, { userAgent: `firmwarden/${identity}` });
  const leaseNamespace = str('lease-namespace') ?? nonEmpty(io.env.POD_NAMESPACE) ?? access.namespace ?? 'default';
  const watchNamespace = str('namespace');
  const metrics = createMetrics();
  const readiness = new ReplicaReadiness();
  const connection = single ? await createFleet(fleetOptions, { logger, clock: systemClock, metrics }) : undefined;
  let http;
  try {
    // Outside the leadership: the standby answers the probes too, or rolling updates stall.
    http = await startHttpServer({ host: listen.host, port: listen.port, metrics, readiness, logger });
    io.stderr.write(`firmwarden: health and metrics on ${http.url}\n`);
    const leaseName = str('lease-name') ?? 'firmwarden-controller';
    // 0 while standing by, 1 while leading: the sum over replicas is the number of leaders.
    metrics.setLeader(leaseName, false);
    const elector = new LeaderElector({
      client,
      namespace: leaseNamespace,
      name: leaseName,
      identity,
      timing,
      clock: systemClock,
      logger,
    });
    const events = new KubeEventRecorder({ client, clock: systemClock, logger, controller: 'firmwarden.dev/controller', instance: identity });
    if (shardOptions) {
      const { runSharded } = await import('./run-sharded.ts');
      return await runSharded({
        io, client, logger, metrics, events, identity, leaseNamespace, watchNamespace, timing, shards: shardOptions, tenants: tenantOptions, fleetOptions,
        fleet: connection?.fleet, stateConfigMap, resyncMs, notify, onReady: () => (readiness.state = 'standby'),
      });
    }
    let workError: unknown;
    let deposed = false;
    readiness.state = 'standby';
    const outcome = await elector.run(io.signal, async (leading) => {
      readiness.state = 'leading';
      metrics.setLeader(leaseName, true);
      leading.addEventListener('abort', () => metrics.setLeader(leaseName, false), { once: true });
      io.stderr.write(`firmwarden: ${identity} leads\n`);
      // Another writer changed the state ConfigMap: someone else leads, whatever our Lease
      // says. Stop at once, like a lost Lease.
      const conflict = new AbortController();
      const conflictAware = (store: ConfigMapStateStore): StateStore => ({
        load: () => store.load(),
        save: async (state) => {
          try {
            await store.save(state);
          } catch (error) {
            if (error instanceof StateConflictError) {
              deposed = true;
              conflict.abort(error);
            }
            throw error;
          }
        },
      });
      const stateStore = conflictAware(new ConfigMapStateStore(client, leaseNamespace, stateConfigMap));
      const secrets = { env: io.env, kubeSecret: (namespace: string, name: string, key: string) => readSecretKey(client, namespace, name, key) };
      try {
        const source = new KubeSource({ client, namespace: watchNamespace, clock: systemClock, logger, events, metrics });
        const controller = await startController(
          {
            source: { kind: 'custom', source },
            http: undefined,
            statePath: '',
            requeue: { intervalMs: resyncMs },
            // A deposed leader must be quiet before a standby may take over, which happens
            // leaseDuration - renewDeadline after the last renewal it saw. Operations already
            // started keep running on the devices; the next leader adopts them from the ledger.
            shutdownGraceMs: timing.leaseDurationMs - timing.renewDeadlineMs,
            notify,
          },
          {
            ...(connection ? { fleet: connection.fleet } : {}),
            clock: systemClock,
            logger,
            parse: parseManifestTexts,
            replaceStatus,
            stateStore,
            // NotificationChannels (and Tenants) may keep their secrets in a Secret of their namespace, read at each use.
            secrets,
            metrics,
            // Tenants: one leader serves them all, each with its state in ConfigMap <state-configmap>-<namespace>.
            tenants: {
              connect: tenantConnector(tenantOptions, fleetOptions, { logger, clock: systemClock, metrics, secrets }),
              stateStoreFor: (ns) => conflictAware(new ConfigMapStateStore(client, leaseNamespace, tenantStateConfigMap(stateConfigMap, ns))),
              concurrency: tenantOptions.concurrency,
            },
            onResult: () => {
              if (readiness.state === 'leading') readiness.state = 'reconciled';
            },
          },
          AbortSignal.any([leading, conflict.signal]),
        );
        await controller.done;
      } catch (error) {
        workError = error;
        throw error;
      }
    });
    readiness.state = 'stopping';
    if (outcome === 'lost' || deposed) {
      io.stderr.write(`firmwarden: ${identity} lost the leadership; exiting so that a fresh replica competes again\n`);
      return 1;
    }
    if (workError !== undefined) throw workError;
    if (!io.signal.aborted) {
      io.stderr.write('firmwarden: the controller stopped by itself\n');
      return 1;
    }
    return 0;
  } finally {
    await http?.close();
    await connection?.close();
    client.close();
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
