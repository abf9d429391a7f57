// One tenant's own parts inside a controller that serves several: its Fleet (own credentials,
// own token, own pacer under the shared cap), its FleetView, its state (own file or ConfigMap,
// so it moves with the tenant), its notifier and its reconciler. The reconciler is the
// single-tenant one, unchanged, fed through its ports: the desired state is the pass's snapshot
// cut down to the tenant's namespace (policy/tenant-partition.ts), so it can never reach another
// tenant's devices; and the statuses it writes are collected for the pass's one write.
import type { Clock } from '../model/clock.ts';
import type { Fleet } from '../model/fleet.ts';
import type { Logger } from '../log/logger.ts';
import type { Finding } from '../manifest/finding.ts';
import type { ManifestEntry, ParsedDesired } from '../model/desired.ts';
import type { RememberedCalendar, StateStore } from '../model/state.ts';
import type { Snapshot, StatusWriteRequest, StatusWriteResult } from '../model/source.ts';
import type { Metrics } from '../server/metrics.ts';
import type { LinkTemplates } from '../notify/render.ts';
import type { DeliveryPolicy } from '../notify/outbox.ts';
import type { SecretSources } from '../notify/secret-ref.ts';
import { FleetView, type FleetViewOptions } from '../reconcile/fleet-view.ts';
import { createReconciler } from '../reconcile/reconcile.ts';
import type { Engine } from '../model/engine.ts';
import type { ReconcileOutcome } from '../reconcile/outcome.ts';
import { isLedgerEntryActive } from '../reconcile/ledger-entries.ts';
import { Notifier } from '../notify/notifier.ts';
import { rolloutGauges } from '../status/rollout-gauges.ts';
import type { LiveEvaluation } from './live-view-feed.ts';

/** What the pass gives every tenant's reconcile: the snapshot it synced (or why it could not), parsed on demand. */
export interface PassInput {
  /** The source's snapshot, or the error its sync threw (a SourceError may carry the last good snapshot). */
  readonly synced: { readonly snapshot: Snapshot } | { readonly error: unknown };
  /** The manifests of the tenant's namespace in a snapshot (the pass's, or the next revision's after a rejected push). */
  readonly partition: (snapshot: Snapshot, namespace: string, now: number) => ParsedDesired<ManifestEntry, Finding>;
}

/** What every tenant world shares. */
export interface TenantWorldDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly engine: Engine<ManifestEntry, Finding>;
  readonly metrics: Metrics;
  readonly fleetView?: FleetViewOptions | undefined;
  readonly pollIntervalMs?: number | undefined;
  /** True once shutdown began: nothing new starts. */
  readonly isStopping: () => boolean;
  /** Whether this replica may start operations for the tenant now (its shard's gate). Default: always. */
  readonly mayStart?: ((namespace: string) => boolean) | undefined;
  readonly notify: { readonly links: LinkTemplates; readonly secrets: SecretSources; readonly delivery?: Partial<DeliveryPolicy> | undefined };
  /** Told after each reconcile of a tenant with its last evaluation (the tenant's live view). Default: nothing. */
  readonly onEvaluated?: ((namespace: string, evaluation: LiveEvaluation) => void) | undefined;
}

/** One tenant, ready to reconcile. */
export interface TenantWorld {
  readonly namespace: string;
  readonly fleet: Fleet;
  /** Reconciles the tenant once with the pass's input. */
  reconcile(input: PassInput, info: { reconcileId: number; signal: AbortSignal }): Promise<ReconcileOutcome>;
  /** The status write its last reconcile asked for, taken (each is written once). */
  takeWrite(): StatusWriteRequest | undefined;
  /** The release calendar its last reconcile kept (for the one calendar file of a Git repository or folder). */
  readonly calendar: RememberedCalendar | undefined;
  /** Stops its notifier (messages not sent stay in its saved state). */
  close(): Promise<void>;
}

/** Builds a tenant's world around its Fleet and state store. */
export function createTenantWorld(namespace: string, fleet: Fleet, stateStore: StateStore, deps: TenantWorldDeps): TenantWorld {
  const logger = deps.logger.child({ tenant: namespace });
  const fleetView = new FleetView(fleet, { clock: deps.clock, logger }, deps.fleetView);
  const notifier = new Notifier({ clock: deps.clock, logger, links: deps.notify.links, secrets: deps.notify.secrets, ...(deps.notify.delivery ? { delivery: deps.notify.delivery } : {}) });
  const stopSending = new AbortController();
  const sending = notifier.run(stopSending.signal);
  let input: PassInput | undefined;
  let write: StatusWriteRequest | undefined;
  let calendar: RememberedCalendar | undefined;
  let evaluated: Omit<LiveEvaluation, 'revision'> | undefined;
  const reconcile = createReconciler({
    sync: async () => {
      const synced = input!.synced;
      if ('error' in synced) throw synced.error;
      return synced.snapshot;
    },
    parse: (snapshot, now) => input!.partition(snapshot, namespace, now),
    fleet,
    fleetView,
    stateStore: notifier.wrapStore(stateStore),
    // The last evaluation is what the live view shows (its second: statuses count what started).
    engine: deps.onEvaluated ? (engineInput) => {
      const output = deps.engine(engineInput);
      evaluated = { input: engineInput, output };
      return output;
    } : deps.engine,
    statusWriter: {
      // Collected for the pass's one write; the pass logs and counts what that write did.
      writeStatus: async (request: StatusWriteRequest): Promise<StatusWriteResult> => {
        write = request;
        if (request.calendar) calendar = request.calendar;
        return { written: false, revision: request.revision, files: [], skipped: [], attempts: 0 };
      },
    },
    clock: deps.clock,
    logger,
    isStopping: () => deps.isStopping() || !(deps.mayStart?.(namespace) ?? true),
    ...(deps.mayStart ? { mayStart: () => deps.mayStart!(namespace) } : {}),
    ...(deps.pollIntervalMs !== undefined ? { pollIntervalMs: deps.pollIntervalMs } : {}),
    observe: (observation) => notifier.observeReconcile(observation),
    onResult: (result) => {
      const ops: Record<string, number> = {};
      for (const e of result.ledger) if (isLedgerEntryActive(e)) ops[e.state] = (ops[e.state] ?? 0) + 1;
      deps.metrics.setOperations(ops, namespace);
      if (result.plan) deps.metrics.setRollouts(rolloutGauges(result.plan), namespace);
    },
  });
  return {
    namespace,
    fleet,
    reconcile: async (next, info) => {
      input = next;
      write = undefined;
      try {
        return await reconcile(info);
      } finally {
        const last = evaluated;
        evaluated = undefined;
        if (last) deps.onEvaluated?.(namespace, { ...last, revision: (write as StatusWriteRequest | undefined)?.revision });
      }
    },
    takeWrite: () => {
      const taken = write;
      write = undefined;
      return taken;
    },
    get calendar() {
      return calendar;
    },
    close: async () => {
      stopSending.abort();
      await sending;
    },
  };
}
