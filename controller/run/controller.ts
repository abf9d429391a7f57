// The controller process around the reconcile loop: a desired-state source (Git or a folder),
// the fleet, the state file, the HTTP endpoints, and an orderly shutdown — on stop it starts
// nothing new, lets the reconcile in progress finish writing status, then closes everything.
import type { Fleet } from '../model/fleet.ts';
import type { Clock } from '../model/clock.ts';
import type { Logger } from '../log/logger.ts';
import type { Finding } from '../manifest/finding.ts';
import type { DesiredStateSource, Snapshot, StatusWriter } from '../model/source.ts';
import type { ReplaceStatus } from '../sources/status-commit-apply.ts';
import { openSource, type ControllerSource } from './open-source.ts';
import type { RunHttpOptions } from '../config/run-http-options.ts';
import { FileStateStore } from '../state/file-state-store.ts';
import type { StateStore } from '../model/state.ts';
import { FleetView, type FleetViewOptions } from '../reconcile/fleet-view.ts';
import { createReconciler } from '../reconcile/reconcile.ts';
import type { Engine } from '../model/engine.ts';
import type { ReconcileResult } from '../model/reconcile.ts';
import type { ManifestEntry, ParsedDesired } from '../model/desired.ts';
import { createEngine } from '../reconcile/engine.ts';
import { ReportForecasts } from './report-forecast.ts';
import { ReconcileLoop } from '../reconcile/loop.ts';
import { defaultRequeuePolicy, type RequeuePolicy } from '../reconcile/outcome.ts';
import { createMetrics, reconcileResultOf, type Metrics } from '../server/metrics.ts';
import { ReadinessGate } from '../server/readiness.ts';
import { startHttpServer, type RunningHttpServer } from '../server/http-server.ts';
import { isLedgerEntryActive } from '../reconcile/ledger-entries.ts';
import { FileSecret } from '../config/secret.ts';
import { LiveViewFeed, type LiveViewFeedOptions } from './live-view-feed.ts';
import { TenantLiveViews } from './tenant-live-views.ts';
import { createLiveViewRoutes } from '../server/live-view-http.ts';
import { reconcileMetrics } from './reconcile-metrics.ts';
import { Notifier } from '../notify/notifier.ts';
import type { LinkTemplates } from '../notify/render.ts';
import type { DeliveryPolicy } from '../notify/outbox.ts';
import type { SecretSources } from '../notify/secret-ref.ts';
import { TenantPass } from './tenant-pass.ts';
import { dispatchReconcile, replaySync, type ControllerTenants } from './tenant-dispatch.ts';
import { tenantStatePath } from './tenant-state.ts';
import type { PassInput } from './tenant-world.ts';
import { stallWithoutFleet } from './no-fleet.ts';
import { tenantReportNoForecast } from './tenant-report.ts';
import { IdleCollector, exposedGc } from './idle-gc.ts';
import { getHeapStatistics } from 'node:v8';

export interface ControllerConfig {
  /** Where the manifests come from; `custom` when the caller brings its own source (Kubernetes). */
  readonly source: ControllerSource;
  /** Absent: no HTTP endpoints (the demo). */
  readonly http: RunHttpOptions | undefined;
  /** The state file (release dates, operations in flight). */
  readonly statePath: string;
  readonly requeue?: Partial<RequeuePolicy>;
  readonly fleetView?: FleetViewOptions;
  /** Operations in flight are polled this often (clock ms). Default: 30 s. */
  readonly pollIntervalMs?: number;
  /** Time the reconcile in progress gets to finish after a stop (real ms). Default: 30 s. */
  readonly shutdownGraceMs?: number;
  /** Throttles of the live view (served when http.ui lets it). Defaults: live-view-feed.ts. */
  readonly liveView?: LiveViewFeedOptions;
  /** Links in notifications (live view, config repository) and delivery back-off. Default: no links, defaultDeliveryPolicy. */
  readonly notify?: { readonly links?: LinkTemplates; readonly delivery?: Partial<DeliveryPolicy> };
}

export interface ControllerDeps {
  /** The single-tenant fleet. Absent (`run` given no fleet flags): only Tenants are served; without any, every manifest stalls (no-fleet.ts). */
  readonly fleet?: Fleet;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly parse: (files: Snapshot['files'], now: number) => ParsedDesired<ManifestEntry, Finding>;
  readonly replaceStatus: ReplaceStatus;
  readonly stateStore?: StateStore;
  readonly metrics?: Metrics;
  /** Called after each reconcile (the demo's screen, tests). */
  readonly onResult?: (result: ReconcileResult) => void;
  /** The pure engine. Default: createEngine(); the demo wraps it to see the input its screen describes. */
  readonly engine?: Engine<ManifestEntry, Finding>;
  /** Where NotificationChannels' secrets are read. Default: this process's environment and files. */
  readonly secrets?: SecretSources;
  /** Serving Tenants when the manifests declare them (tenant-dispatch.ts). Absent: the single tenant only. */
  readonly tenants?: ControllerTenants;
}

export interface RunningController {
  readonly source: DesiredStateSource & StatusWriter;
  readonly loop: ReconcileLoop;
  /** The HTTP server, when configured. */
  readonly http: RunningHttpServer | undefined;
  /** The live view's address, when it is served (with a token it needs ?token=… once). */
  readonly liveViewUrl: string | undefined;
  readonly metrics: Metrics;
  /** The passes over Tenants, when deps.tenants was given (sharding releases tenants through it). */
  readonly tenants: TenantPass | undefined;
  /** Resolves when the controller has stopped (after `signal` aborted and everything closed). */
  readonly done: Promise<void>;
}

/** Starts the controller; it runs until `signal` aborts. */
export async function startController(config: ControllerConfig, deps: ControllerDeps, signal: AbortSignal): Promise<RunningController> {
  const log = deps.logger.child({ component: 'controller' });
  const metrics = deps.metrics ?? createMetrics();
  // Rollout gauges and timeouts from each reconcile's own plan and ledger; timeouts from before this start are not counted.
  const recordReconcile = reconcileMetrics(metrics, deps.clock.now());
  const readiness = new ReadinessGate();
  const source = await openSource(config.source, deps, metrics);
  if (!deps.fleet && !deps.tenants) throw new Error('startController: neither a fleet nor tenants to serve');
  const fleet = deps.fleet;
  // Notifications: found in each reconcile, kept in the state, sent off the reconcile path.
  const notifier = new Notifier({
    clock: deps.clock,
    logger: deps.logger,
    links: config.notify?.links ?? {},
    secrets: deps.secrets ?? { env: process.env },
    ...(config.notify?.delivery ? { delivery: config.notify.delivery } : {}),
  });
  const stateStore = notifier.wrapStore(deps.stateStore ?? new FileStateStore(config.statePath));
  // A stop aborts `signal` at once; I/O keeps this later signal so the reconcile in progress
  // can still write status and save state.
  const hard = new AbortController();
  let stopping = false;

  // Statuses in a Git repository or folder are reviewed by people in diffs: summaries only.
  // A custom source is the Kubernetes one, whose status subresource keeps the full detail.
  // The fleet report goes with the statuses into the repository or folder (--report); its
  // forecast is simulated in a worker thread, and a reconcile follows each new one.
  let forecastReady = () => {};
  const reportPath = config.source.kind !== 'custom' ? config.source.report : undefined;
  const forecasts = reportPath === undefined ? undefined : new ReportForecasts({ logger: deps.logger, onReady: () => forecastReady() });
  const engine = deps.engine ?? createEngine({
      statusDetail: config.source.kind === 'custom' ? 'full' : 'summary',
      ...(reportPath !== undefined && forecasts ? { report: { path: reportPath, forecaster: forecasts.forecaster } } : {}),
    });
  // The live view shows each reconcile's last evaluation: the plan this controller acted on.
  const liveView = config.http?.ui && config.http.ui.mode !== 'off' ? new LiveViewFeed(deps.logger, config.liveView) : undefined;

  // With Tenants the dispatcher syncs first and hands its result to the single reconcile.
  let presynced: PassInput['synced'] | undefined;
  const reconcile = fleet && createReconciler({
    // The source counts its syncs and status writes in `metrics` itself.
    sync: (s) => (presynced ? replaySync(presynced) : source.sync(s)),
    parse: (snapshot, now) => deps.parse(snapshot.files, now),
    fleet,
    fleetView: new FleetView(fleet, { clock: deps.clock, logger: deps.logger }, config.fleetView),
    stateStore,
    engine: liveView ? liveView.observeEngine(engine) : engine,
    statusWriter: source,
    clock: deps.clock,
    logger: deps.logger,
    isStopping: () => stopping,
    ...(config.pollIntervalMs !== undefined ? { pollIntervalMs: config.pollIntervalMs } : {}),
    observe: (observation) => notifier.observeReconcile(observation),
    onResult: (result) => {
      if (result.revision) metrics.setAppliedRevision(result.revision);
      const ops: Record<string, number> = {};
      for (const e of result.ledger) if (isLedgerEntryActive(e)) ops[e.state] = (ops[e.state] ?? 0) + 1;
      metrics.setOperations(ops);
      recordReconcile(result);
      readiness.markReady();
      liveView?.reconciled(result.revision);
      deps.onResult?.(result);
    },
  });

  const policy = { ...defaultRequeuePolicy, ...config.requeue };
  const tenants = deps.tenants && new TenantPass({
    clock: deps.clock, logger: deps.logger, metrics, parse: deps.parse, statusWriter: source, requeue: policy,
    // The fleet report has a section per tenant (tenant-report.ts), without a forecast: one
    // simulation per tenant per pass would cost too much.
    engine: deps.engine ?? createEngine({
      statusDetail: config.source.kind === 'custom' ? 'full' : 'summary',
      ...(reportPath !== undefined ? { report: { path: reportPath, forecaster: () => ({ missing: tenantReportNoForecast }) } } : {}),
    }),
    fleetView: config.fleetView, pollIntervalMs: config.pollIntervalMs, isStopping: () => stopping,
    notify: { links: config.notify?.links ?? {}, secrets: deps.secrets ?? { env: process.env }, delivery: config.notify?.delivery },
    connect: deps.tenants.connect,
    stateStoreFor: deps.tenants.stateStoreFor ?? ((ns) => new FileStateStore(tenantStatePath(config.statePath, ns))),
    concurrency: deps.tenants.concurrency, owns: deps.tenants.owns, mayStart: deps.tenants.owns,
    // The live view shows one tenant at a time (?tenant=, default the first by namespace).
    onEvaluated: liveView && ((ns, evaluation) => tenantViews?.evaluated(ns, evaluation)),
  });
  const tenantViews = liveView && tenants && new TenantLiveViews(deps.logger, config.liveView ?? {}, () => tenants.tenants());
  let pass: 'single' | 'tenants' = 'single';
  let warnedNoTenants = false;
  const single = ({ reconcileId }: { reconcileId: number }) => reconcile!({ reconcileId, signal: hard.signal });
  const noFleet = !reconcile ? stallWithoutFleet({ parse: deps.parse, clock: deps.clock, statusWriter: source, logger: deps.logger, io: hard.signal }) : undefined;
  // A full collection 3 s after a pass, when no other pass has started (idle-gc.ts).
  const idle = new IdleCollector({
    collect: exposedGc(), delayMs: 3_000, setTimer: setTimeout, clearTimer: (t) => clearTimeout(t as NodeJS.Timeout),
    heapUsed: () => getHeapStatistics().used_heap_size,
    cpuMs: () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; },
    onCollected: (freed, cpuMs) => log.debug({ freedMb: Math.round(freed / 1048576), cpuMs: Math.round(cpuMs) }, 'collected garbage after the pass'),
  });
  const loop = new ReconcileLoop(idle.wrap(!tenants ? single : dispatchReconcile({
    source, parse: deps.parse, clock: deps.clock, tenants, io: hard.signal, onPass: (kind) => (pass = kind),
    single: async (info, synced) => {
      if (deps.tenants?.only) {
        if (!warnedNoTenants) log.warn('no Tenant declared: a sharded replica serves Tenants only; nothing is reconciled');
        warnedNoTenants = true;
        return { kind: 'success' };
      }
      if (noFleet) return noFleet(synced);
      presynced = synced;
      try {
        return await single(info);
      } finally {
        presynced = undefined;
      }
    },
  })), {
    clock: deps.clock,
    logger: deps.logger,
    policy,
    observer: {
      onReconciled: (outcome, ms) => {
        // A pass over Tenants counted each tenant's reconcile under its tenant label already.
        if (pass === 'single') metrics.observeReconcile('firmwarden', reconcileResultOf(outcome.kind), ms / 1000, { terminal: outcome.kind === 'terminal' });
        if (outcome.kind === 'error') readiness.markNotReady(`last reconcile failed: ${outcome.message}`);
        else if (pass === 'tenants') readiness.markReady();
      },
    },
  });
  const unsubscribe = source.subscribe((reason) => loop.trigger(reason));
  forecastReady = () => loop.trigger('forecast');

  let http: RunningHttpServer | undefined;
  if (config.http) {
    const httpOptions = config.http;
    if (httpOptions.webhookSecret instanceof FileSecret) {
      const hookLog = deps.logger.child({ component: 'http' });
      // The path and what happened, never the value.
      httpOptions.webhookSecret.onChange((event) =>
        event.kind === 'rotated'
          ? hookLog.info({ path: event.path }, 'webhook secret file changed; the new secret is in use')
          : hookLog.warn({ path: event.path, reason: event.reason }, 'webhook secret file changed but cannot be used; the previous secret stays in use'),
      );
    }
    http = await startHttpServer({
      host: httpOptions.host,
      port: httpOptions.port,
      metrics,
      readiness,
      logger: deps.logger,
      ...(liveView && httpOptions.ui ? { liveView: createLiveViewRoutes({ access: httpOptions.ui, source: liveView, tenants: tenantViews }, deps.logger) } : {}),
      ...(httpOptions.webhookSecret
        ? { webhook: { secret: httpOptions.webhookSecret, onTrigger: () => source.requestSync('webhook'), ...(config.source.kind === 'git' ? { branch: config.source.branch } : {}) } }
        : {}),
    });
    log.info({ url: http.url }, 'http endpoints listening');
    if (liveView) log.info({ url: `${http.url}/`, access: httpOptions.ui?.mode }, 'live view served');
  }

  const done = (async () => {
    const stopSending = new AbortController();
    const sending = notifier.run(stopSending.signal);
    const onStop = () => {
      stopping = true;
      log.info('stopping: no new operations; finishing the reconcile in progress');
      setTimeout(() => hard.abort(new Error('shutdown grace period over')), config.shutdownGraceMs ?? 30_000).unref();
    };
    if (signal.aborted) onStop();
    else signal.addEventListener('abort', onStop, { once: true });
    try {
      await loop.run(signal);
    } finally {
      idle.close();
      // Messages not sent yet stay in the saved outbox for the next start.
      stopSending.abort();
      await sending;
      unsubscribe();
      await http?.close();
      await liveView?.close();
      await tenantViews?.close();
      await forecasts?.close();
      await tenants?.close();
      await source.close();
      log.info('stopped');
    }
  })();
  return { source, loop, http, liveViewUrl: http && liveView ? `${http.url}/` : undefined, metrics, tenants, done };
}
