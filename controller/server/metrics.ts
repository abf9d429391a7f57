// The controller's Prometheus metrics, on a registry passed in (never prom-client's global
// one, so tests and several controllers in one process do not share counters). Names follow
// controller-runtime where it has one, so existing Kubernetes dashboards and alerts work.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { deviceStateLabel, type ManifestGauges, type RolloutGauges } from '../status/rollout-gauges.ts';
import { LiveStates } from '../status/live-state.ts';

/** controller-runtime's reconcile results. */
export const ReconcileResults = ['success', 'error', 'requeue', 'requeue_after'] as const;
export type ReconcileResult = (typeof ReconcileResults)[number];

/** What other components call to record what happened; no prom-client types leak out. */
export interface Metrics {
  readonly registry: Registry;
  /**
   * One reconcile: its result and duration. Errors also count in controller_runtime_reconcile_errors_total.
   * `tenant` (a Tenant's namespace) labels the series, only when Tenants are declared.
   */
  observeReconcile(controller: string, result: ReconcileResult, seconds: number, options?: { terminal?: boolean; tenant?: string | undefined }): void;
  /** Operations by state right now (queued, inProgress, …) of all tenants, or of one `tenant`; states not given are set to 0. */
  setOperations(counts: Readonly<Record<string, number>>, tenant?: string): void;
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
  /**
   * Every group's and policy's rollout gauges from one plan; series of groups and policies no
   * longer in it are removed (with `tenant`, only among that tenant's: other tenants' stay).
   */
  setRollouts(gauges: RolloutGauges, tenant?: string): void;
  /** The fleet request counters of one tenant's Graph client (labelled tenant). */
  tenantFleetMetrics(tenant: string): { countFleetRequest(code: number | string): void; countFleetThrottled(): void };
  /** Removes every series of a tenant that is gone (its Tenant deleted, or its shard moved to another replica). */
  forgetTenant(tenant: string): void;
  /** Operations recorded as timed out (TimedOut) since the last call. */
  countOperationsTimedOut(count: number): void;
  /** Whether this replica holds the leader Lease `lease`. */
  setLeader(lease: string, leading: boolean): void;
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
    labelNames: ['controller', 'result', 'tenant'] as const,
    registers,
  });
  const reconcileErrors = new Counter({
    name: 'controller_runtime_reconcile_errors_total',
    help: 'Total number of reconciliation errors per controller',
    labelNames: ['controller', 'tenant'] as const,
    registers,
  });
  const terminalErrors = new Counter({
    name: 'controller_runtime_terminal_reconcile_errors_total',
    help: 'Total number of terminal reconciliation errors per controller',
    labelNames: ['controller', 'tenant'] as const,
    registers,
  });
  const reconcileTime = new Histogram({
    name: 'controller_runtime_reconcile_time_seconds',
    help: 'Length of time per reconciliation per controller',
    labelNames: ['controller', 'tenant'] as const,
    buckets: reconcileBuckets,
    registers,
  });
  const operations = new Gauge({
    name: 'firmwarden_operations',
    help: 'Device software operations the controller follows, by state',
    labelNames: ['state', 'tenant'] as const,
    registers,
  });
  const fleetRequests = new Counter({
    name: 'firmwarden_fleet_requests_total',
    help: 'Requests to the fleet API, by HTTP status code',
    labelNames: ['code', 'tenant'] as const,
    registers,
  });
  const fleetThrottled = new Counter({
    name: 'firmwarden_fleet_throttled_total',
    help: 'Fleet API responses that asked the controller to slow down',
    labelNames: ['tenant'] as const,
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
  const operationsTimedOut = new Counter({
    name: 'firmwarden_operations_timed_out_total',
    help: 'Operations still active after their timeout (spec.rollout.operationTimeout), recorded as failed',
    registers,
  });
  const leader = new Gauge({
    // client-go's name, so leader-election dashboards and alerts written for it work.
    name: 'leader_election_master_status',
    help: 'Whether this replica holds the leader Lease (1) or not (0)',
    labelNames: ['name'] as const,
    registers,
  });
  // Rollout gauges: labels namespace and name (plus state or software_type), never a device or
  // a version; a group or policy has at most 14 series (seriesPerGroup in rollout-gauges.ts).
  const rolloutGauge = (kind: 'group' | 'policy', metric: string, help: string, labels: readonly string[]) =>
    new Gauge({ name: `firmwarden_${kind}_${metric}`, help: `${help} of each ${kind === 'group' ? 'DeviceGroup' : 'UpdatePolicy'}`, labelNames: ['namespace', 'name', ...labels], registers });
  const families = (['group', 'policy'] as const).map((kind) => ({
    kind,
    devices: rolloutGauge(kind, 'devices', 'Member devices by state (the state of the software type that most needs attention)', ['state']),
    wave: rolloutGauge(kind, 'rollout_wave', 'The wave each automatic rollout is in, from 1 (0: nothing left to roll out)', ['software_type']),
    waves: rolloutGauge(kind, 'rollout_waves', 'Waves of each automatic rollout', ['software_type']),
    stopped: rolloutGauge(kind, 'rollout_stopped', 'Whether the failure threshold stopped each automatic rollout (1) or not (0)', ['software_type']),
    suspended: rolloutGauge(kind, 'suspended', 'Whether the UpdatePolicy (for a group: the one it follows) is suspended (1) or not (0)', []),
  }));
  for (const state of knownOperationStates) operations.set({ state }, 0);
  // Counters start at 0, as controller-runtime's do: rate() and increase() miss the first
  // increment of a series that appears at 1, and an alert on errors would miss the first ones.
  operationsTimedOut.inc(0);
  // Without labels given it is the series of all tenants, there from the start as before the tenant label.
  fleetThrottled.inc(0);
  for (const result of ['written', 'unchanged', 'error'] as const) statusWrites.inc({ result }, 0);
  for (const result of ['success', 'error'] as const) sourceSyncs.inc({ result }, 0);
  const started = new Set<string>();
  // The tenant label's values are the declared Tenants' namespaces, so the series stay bounded;
  // a tenant gone (or moved to another replica) is forgotten with all its series.
  type Removable = { remove(labels: Record<string, string>): void };
  const tenantSeries = new Map<string, { gauge: Gauge<string>; labels: Record<string, string> }[]>();
  /** Every series written with a tenant label, by tenant (prom-client removes series by their exact labels only). */
  const tenantLabelled = new Map<string, Map<string, { metric: Removable; labels: Record<string, string> }>>();
  const rolloutGauges = families.flatMap((f) => [f.devices, f.wave, f.waves, f.stopped, f.suspended]);
  const withTenant = <L extends Record<string, string>>(metric: Removable, labels: L, tenant: string | undefined): L => {
    if (tenant === undefined) return labels;
    const full = { ...labels, tenant };
    const seen = tenantLabelled.get(tenant) ?? new Map<string, { metric: Removable; labels: Record<string, string> }>();
    tenantLabelled.set(tenant, seen);
    const key = `${tenantLabelledMetrics.indexOf(metric)}:${JSON.stringify(full)}`;
    if (!seen.has(key)) seen.set(key, { metric, labels: full });
    return full;
  };
  const tenantLabelledMetrics: Removable[] = [reconcileTotal, reconcileErrors, terminalErrors, reconcileTime, operations, fleetRequests, fleetThrottled];

  return {
    registry,
    observeReconcile(controller, result, seconds, opts = {}) {
      const tenant = opts.tenant;
      const key = JSON.stringify([controller, tenant ?? null]);
      if (!started.has(key)) {
        started.add(key);
        for (const r of ReconcileResults) reconcileTotal.inc(withTenant(reconcileTotal, { controller, result: r }, tenant), 0);
        reconcileErrors.inc(withTenant(reconcileErrors, { controller }, tenant), 0);
        terminalErrors.inc(withTenant(terminalErrors, { controller }, tenant), 0);
      }
      reconcileTotal.inc(withTenant(reconcileTotal, { controller, result }, tenant));
      reconcileTime.observe(withTenant(reconcileTime, { controller }, tenant), seconds);
      if (result === 'error') reconcileErrors.inc(withTenant(reconcileErrors, { controller }, tenant));
      if (opts.terminal) terminalErrors.inc(withTenant(terminalErrors, { controller }, tenant));
    },
    setOperations(counts, tenant) {
      for (const state of new Set([...knownOperationStates, ...Object.keys(counts)])) operations.set(withTenant(operations, { state }, tenant), counts[state] ?? 0);
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
    setRollouts(gauges, tenant) {
      // Reset and set in one synchronous step: a scrape never sees half of it, and a group or
      // policy that left the plan loses its series. A tenant's plan replaces only its own series.
      const set = tenant === undefined
        ? (g: Gauge<string>, labels: Record<string, string>, value: number) => g.set(labels, value)
        : (g: Gauge<string>, labels: Record<string, string>, value: number) => {
          g.set(labels, value);
          tenantSeries.get(tenant)!.push({ gauge: g, labels });
        };
      if (tenant === undefined) for (const g of rolloutGauges) g.reset();
      else {
        for (const { gauge, labels } of tenantSeries.get(tenant) ?? []) gauge.remove(labels);
        tenantSeries.set(tenant, []);
      }
      for (const f of families) {
        const list: readonly ManifestGauges[] = f.kind === 'group' ? gauges.groups : gauges.policies;
        for (const m of list) {
          const id = { namespace: m.namespace, name: m.name };
          for (const state of LiveStates) set(f.devices, { ...id, state: deviceStateLabel[state] }, m.devices[state]);
          for (const r of m.rollouts) {
            set(f.wave, { ...id, software_type: r.softwareType }, r.wave);
            set(f.waves, { ...id, software_type: r.softwareType }, r.waves);
            set(f.stopped, { ...id, software_type: r.softwareType }, r.stopped ? 1 : 0);
          }
          set(f.suspended, id, m.suspended ? 1 : 0);
        }
      }
    },
    tenantFleetMetrics(tenant) {
      return {
        countFleetRequest: (code) => fleetRequests.inc(withTenant(fleetRequests, { code: String(code) }, tenant)),
        countFleetThrottled: () => fleetThrottled.inc(withTenant(fleetThrottled, {}, tenant)),
      };
    },
    forgetTenant(tenant) {
      for (const { metric, labels } of tenantLabelled.get(tenant)?.values() ?? []) metric.remove(labels);
      tenantLabelled.delete(tenant);
      for (const { gauge, labels } of tenantSeries.get(tenant) ?? []) gauge.remove(labels);
      tenantSeries.delete(tenant);
      for (const key of [...started]) if ((JSON.parse(key) as [string, string | null])[1] === tenant) started.delete(key);
    },
    countOperationsTimedOut(count) {
      if (count > 0) operationsTimedOut.inc(count);
    },
    setLeader(lease, leading) {
      leader.set({ name: lease }, leading ? 1 : 0);
    },
  };
}
