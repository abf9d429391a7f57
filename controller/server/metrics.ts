// The controller's Prometheus metrics, on a registry passed in (never prom-client's global
// one, so tests and several controllers in one process do not share counters). Names follow
// controller-runtime where it has one, so existing Kubernetes dashboards and alerts work.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** controller-runtime's reconcile results. */
export const ReconcileResults = ['success', 'error', 'requeue', 'requeue_after'] as const;
export type ReconcileResult = (typeof ReconcileResults)[number];

/** What other components call to record what happened; no prom-client types leak out. */
export interface Metrics {
  readonly registry: Registry;
  /** One reconcile: its result and duration. Errors also count in controller_runtime_reconcile_errors_total. */
  observeReconcile(controller: string, result: ReconcileResult, seconds: number, options?: { terminal?: boolean }): void;
  /** Operations by state right now (queued, inProgress, …); states not given are set to 0. */
  setOperations(counts: Readonly<Record<string, number>>): void;
  /** One fleet API response, by HTTP status code (or 'error' when there was no response). */
  countFleetRequest(code: number | string): void;
  /** One throttled fleet API response (429 or 503 with Retry-After). */
  countFleetThrottled(): void;
  /** The spec revision the last reconcile applied. */
  setAppliedRevision(revision: string): void;
  /** One source sync. */
  countSourceSync(result: 'success' | 'error'): void;
  /** One status write: a commit (or in-place write), nothing to write, or a failure. */
  countStatusWrite(result: 'written' | 'unchanged' | 'error'): void;
  /** One webhook request: accepted (sync triggered), ignored (another branch, a ping), duplicate (a delivery id already received) or rejected. */
  countWebhook(result: 'accepted' | 'ignored' | 'duplicate' | 'rejected'): void;
}

/** Maps a reconcile outcome kind (reconcile/outcome.ts) to controller-runtime's result label. */
export function reconcileResultOf(kind: 'success' | 'waiting' | 'terminal' | 'error'): ReconcileResult {
  return kind === 'success' ? 'success' : kind === 'waiting' ? 'requeue_after' : 'error';
}

/** Default buckets of controller_runtime_reconcile_time_seconds. */
export const reconcileBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60];

/** Operation states always exported (0 when none), so a dashboard sees every series. */
const knownOperationStates = ['queued', 'scheduled', 'inProgress', 'succeeded', 'failed', 'cancelled', 'unknown'];

/** Registers the metrics on `registry` (default: a new one); `processMetrics` adds process_* and nodejs_* (default: true). */
export function createMetrics(registry: Registry = new Registry(), options: { processMetrics?: boolean } = {}): Metrics {
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const reconcileTotal = new Counter({
    name: 'controller_runtime_reconcile_total',
    help: 'Total number of reconciliations per controller',
    labelNames: ['controller', 'result'] as const,
    registers,
  });
  const reconcileErrors = new Counter({
    name: 'controller_runtime_reconcile_errors_total',
    help: 'Total number of reconciliation errors per controller',
    labelNames: ['controller'] as const,
    registers,
  });
  const terminalErrors = new Counter({
    name: 'controller_runtime_terminal_reconcile_errors_total',
    help: 'Total number of terminal reconciliation errors per controller',
    labelNames: ['controller'] as const,
    registers,
  });
  const reconcileTime = new Histogram({
    name: 'controller_runtime_reconcile_time_seconds',
    help: 'Length of time per reconciliation per controller',
    labelNames: ['controller'] as const,
    buckets: reconcileBuckets,
    registers,
  });
  const operations = new Gauge({
    name: 'firmwarden_operations',
    help: 'Device software operations the controller follows, by state',
    labelNames: ['state'] as const,
    registers,
  });
  const fleetRequests = new Counter({
    name: 'firmwarden_fleet_requests_total',
    help: 'Requests to the fleet API, by HTTP status code',
    labelNames: ['code'] as const,
    registers,
  });
  const fleetThrottled = new Counter({
    name: 'firmwarden_fleet_throttled_total',
    help: 'Fleet API responses that asked the controller to slow down',
    registers,
  });
  const appliedRevision = new Gauge({
    name: 'firmwarden_source_last_applied_revision_info',
    help: 'The spec revision the last reconcile applied (value 1)',
    labelNames: ['revision'] as const,
    registers,
  });
  const sourceSyncs = new Counter({
    name: 'firmwarden_source_sync_total',
    help: 'Syncs of the desired-state source, by result',
    labelNames: ['result'] as const,
    registers,
  });
  const statusWrites = new Counter({
    name: 'firmwarden_status_writes_total',
    help: 'Status write-backs, by result',
    labelNames: ['result'] as const,
    registers,
  });
  const webhooks = new Counter({
    name: 'firmwarden_webhook_requests_total',
    help: 'Webhook requests, by result',
    labelNames: ['result'] as const,
    registers,
  });
  for (const state of knownOperationStates) operations.set({ state }, 0);

  return {
    registry,
    observeReconcile(controller, result, seconds, opts = {}) {
      reconcileTotal.inc({ controller, result });
      reconcileTime.observe({ controller }, seconds);
      if (result === 'error') reconcileErrors.inc({ controller });
      if (opts.terminal) terminalErrors.inc({ controller });
    },
    setOperations(counts) {
      for (const state of new Set([...knownOperationStates, ...Object.keys(counts)])) operations.set({ state }, counts[state] ?? 0);
    },
    countFleetRequest(code) {
      fleetRequests.inc({ code: String(code) });
    },
    countFleetThrottled() {
      fleetThrottled.inc();
    },
    setAppliedRevision(revision) {
      // One series only: the previous revision's disappears.
      appliedRevision.reset();
      appliedRevision.set({ revision }, 1);
    },
    countSourceSync(result) {
      sourceSyncs.inc({ result });
    },
    countStatusWrite(result) {
      statusWrites.inc({ result });
    },
    countWebhook(result) {
      webhooks.inc({ result });
    },
  };
}
