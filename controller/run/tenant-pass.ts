// A pass over the tenants declared in the manifests: the source synced and parsed once, the
// manifests split by namespace (policy/tenant-partition.ts), every tenant with work due
// reconciled through the fair queue (reconcile/tenant-queue.ts: in turn, K at once) with its
// own Fleet, FleetView and state, then ONE status write for the shared source. A tenant is due
// when its requeue time has come (each tenant keeps its own, from its own outcome) or its
// manifests changed. A Tenant that cannot be connected, or a namespace acted upon by no tenant,
// gets its manifests stalled with the reason; the other tenants go on. With sharding, only the
// namespaces this replica owns are touched (`owns`), statuses included.
import { parseCalendarFile } from '../state/calendar-file.ts';
import type { Tenant } from '../model/manifests.generated.ts';
import type { Fleet } from '../model/fleet.ts';
import type { Finding } from '../manifest/finding.ts';
import type { ManifestEntry, ParsedDesired } from '../model/desired.ts';
import type { RememberedCalendar, StateStore } from '../model/state.ts';
import type { Snapshot, StatusUpdate, StatusWriter, WrittenFile } from '../model/source.ts';
import { partitionByTenant, type TenantPartitions } from '../policy/tenant-partition.ts';
import { specDigest } from '../policy/spec-digest.ts';
import { TenantQueue } from '../reconcile/tenant-queue.ts';
import { nextDelay, type ReconcileOutcome, type RequeuePolicy } from '../reconcile/outcome.ts';
import { signInFailure, tenantFailureStatuses, unboundFailure } from '../reconcile/tenant-statuses.ts';
import { reconcileResultOf } from '../server/metrics.ts';
import { createTenantWorld, type PassInput, type TenantWorld, type TenantWorldDeps } from './tenant-world.ts';
import { mergeTenantCalendars, mergeTenantWrites, type TenantWrite } from './tenant-writes.ts';

export interface TenantPassDeps extends TenantWorldDeps {
  readonly parse: (files: Snapshot['files'], now: number) => ParsedDesired<ManifestEntry, Finding>;
  readonly statusWriter: StatusWriter;
  /** A Tenant's own Fleet (its credentials, under the shared cap); throws, with words for people, when it cannot be made. */
  readonly connect: (tenant: Tenant) => Fleet;
  readonly stateStoreFor: (namespace: string) => StateStore;
  readonly requeue: RequeuePolicy;
  /** Tenants reconciled at once. Default 4. */
  readonly concurrency?: number | undefined;
  /** Whether this replica works on a namespace now (its shard is held). Default: every namespace. */
  readonly owns?: ((namespace: string) => boolean) | undefined;
  readonly random?: () => number;
}

interface Held {
  readonly world: TenantWorld;
  /** The Tenant's spec: a changed one (new credentials, cloud, rate) connects anew. */
  readonly connection: string;
  /** The Tenant's spec.displayName, for the live view's picker. */
  readonly displayName: string | undefined;
  /** The partition's specs when last reconciled. */
  digest: string | undefined;
  nextDue: number;
  failures: number;
  running: Promise<void> | undefined;
}

/** The manifests of `namespace` in a parse, with the findings about their files. */
function partitionOf(parsed: ParsedDesired<ManifestEntry, Finding>, partitions: TenantPartitions<ManifestEntry>, namespace: string): ParsedDesired<ManifestEntry, Finding> {
  const manifests = partitions.tenants.find((p) => p.namespace === namespace)?.manifests ?? [];
  const files = new Set(manifests.map((m) => m.file));
  return { manifests, findings: parsed.findings.filter((f) => files.has(f.file)) };
}

function digestOf(manifests: readonly ManifestEntry[]): string {
  return specDigest(manifests.map((m) => [m.key, m.valid, (m.manifest as { spec?: unknown } | null)?.spec ?? null, m.holidayDays ?? null]));
}

/** Runs passes over the declared tenants; holds each tenant's world between passes. */
export class TenantPass {
  readonly #deps: TenantPassDeps;
  readonly #held = new Map<string, Held>();
  readonly #queue: TenantQueue;
  #parsed: { revision: string; parsed: ParsedDesired<ManifestEntry, Finding>; partitions: TenantPartitions<ManifestEntry> } | undefined;
  #lastExtra = '';
  /** Each tenant's last fleet report files: a pass reconciling some tenants keeps the others' sections. */
  readonly #reports = new Map<string, readonly WrittenFile[]>();

  constructor(deps: TenantPassDeps) {
    this.#deps = deps;
    const log = deps.logger.child({ component: 'tenants' });
    this.#queue = new TenantQueue({ ...(deps.concurrency !== undefined ? { concurrency: deps.concurrency } : {}), onError: (tenant, err) => log.error({ tenant, err }, 'tenant reconcile failed') });
  }

  /** The namespaces of the tenants held now. */
  namespaces(): string[] {
    return [...this.#held.keys()];
  }

  /** The tenants held now, each with its namespace and the Tenant's displayName. */
  tenants(): { namespace: string; displayName: string | undefined }[] {
    return [...this.#held].map(([namespace, h]) => ({ namespace, displayName: h.displayName }));
  }

  #partitions(snapshot: Snapshot, now: number, given?: ParsedDesired<ManifestEntry, Finding>) {
    if (this.#parsed?.revision !== snapshot.revision) {
      const parsed = given ?? this.#deps.parse(snapshot.files, now);
      this.#parsed = { revision: snapshot.revision, parsed, partitions: partitionByTenant(parsed.manifests, parsed.manifests.filter((m) => m.kind === 'Tenant')) };
    }
    return this.#parsed;
  }

  /**
   * One pass on `synced` (parsed: `parsed`, taken from `snapshot`, the last good one when the
   * sync failed). `stop` ends the starting of tenants; `io` is the later signal their I/O keeps.
   */
  async run(info: { reconcileId: number; stop: AbortSignal; io: AbortSignal }, synced: PassInput['synced'], snapshot: Snapshot, parsed: ParsedDesired<ManifestEntry, Finding>): Promise<ReconcileOutcome> {
    const { clock, logger } = this.#deps;
    const log = logger.child({ component: 'tenants', reconcileId: info.reconcileId });
    const now = clock.now();
    const owns = this.#deps.owns ?? (() => true);
    const { partitions } = this.#partitions(snapshot, now, parsed);
    const extra: StatusUpdate[] = [];
    for (const u of partitions.unbound) if (owns(u.namespace)) extra.push(...tenantFailureStatuses(u.manifests, unboundFailure(u), now));

    const present = new Map(partitions.tenants.filter((p) => p.namespace !== undefined && owns(p.namespace)).map((p) => [p.namespace!, p]));
    const connection = (ns: string) => JSON.stringify((present.get(ns)!.tenant!.manifest as Tenant).spec);
    await this.release([...this.#held.keys()].filter((ns) => !present.has(ns) || this.#held.get(ns)!.connection !== connection(ns)));
    for (const [ns, p] of present) {
      if (this.#held.has(ns)) continue;
      try {
        const fleet = this.#deps.connect(p.tenant!.manifest as Tenant);
        this.#held.set(ns, { world: createTenantWorld(ns, fleet, this.#deps.stateStoreFor(ns), this.#deps), connection: connection(ns), displayName: (p.tenant!.manifest as Tenant).spec.displayName, digest: undefined, nextDue: now, failures: 0, running: undefined });
      } catch (error) {
        log.warn({ tenant: ns, err: error }, 'tenant not connected');
        extra.push(...tenantFailureStatuses(p.manifests, signInFailure(ns, error instanceof Error ? error.message : String(error)), now));
      }
    }

    const input: PassInput = { synced, partition: (s, ns, at) => { const c = this.#partitions(s, at); return partitionOf(c.parsed, c.partitions, ns); } };
    const due: string[] = [];
    for (const [ns, held] of this.#held) {
      const digest = digestOf(present.get(ns)!.manifests);
      if (held.nextDue <= now || held.digest !== digest) due.push(ns);
      held.digest = digest;
    }
    const ran: TenantWrite[] = [];
    this.#queue.add(due);
    await this.#queue.drain(async (ns) => {
      const held = this.#held.get(ns);
      if (!held) return;
      const running = this.#reconcileOne(ns, held, input, info).then((write) => {
        if (write) ran.push({ namespace: ns, request: write });
      });
      held.running = running.finally(() => (held.running = undefined));
      await held.running;
    }, info.stop);

    const wakeAt = Math.min(...[...this.#held.values()].map((h) => h.nextDue));
    const outcome: ReconcileOutcome = Number.isFinite(wakeAt) ? { kind: 'waiting', until: wakeAt } : { kind: 'success' };
    const extraText = JSON.stringify(extra);
    if (ran.length === 0 && extraText === this.#lastExtra) return outcome;
    const calendars = new Map<string, RememberedCalendar>();
    for (const [ns, held] of this.#held) if (held.world.calendar) calendars.set(ns, held.world.calendar);
    const keepsCalendar = ran.some((w) => w.request.calendar !== undefined);
    const file = snapshot.calendarText === undefined ? undefined : parseCalendarFile(snapshot.calendarText);
    const calendar = keepsCalendar ? mergeTenantCalendars(file?.ok ? file.calendar : undefined, calendars) : undefined;
    try {
      const remembered = ran.map((w) => (w.request.files === undefined ? w : {
        ...w,
        request: { ...w.request, files: async (next: Snapshot) => {
          const f = typeof w.request.files === 'function' ? await w.request.files(next) : (w.request.files ?? []);
          this.#reports.set(w.namespace, f);
          return f;
        } },
      }));
      for (const ns of this.#reports.keys()) if (!this.#held.has(ns)) this.#reports.delete(ns);
      const earlier = [...this.#reports].map(([namespace, files]) => ({ namespace, files }));
      const result = await this.#deps.statusWriter.writeStatus(mergeTenantWrites(snapshot.revision, remembered, extra, calendar, earlier), info.io);
      this.#lastExtra = extraText;
      if (result.skipped.length > 0) log.warn({ skipped: result.skipped }, 'some statuses were not written');
      log.info({ revision: snapshot.revision, tenants: ran.map((w) => w.namespace), written: result.written }, 'tenants reconciled');
      return outcome;
    } catch (error) {
      // Their statuses were not written: those tenants come back with the loop's back-off.
      for (const w of ran) this.#held.get(w.namespace)!.nextDue = now;
      log.warn({ err: error }, 'status write of the tenants failed');
      return { kind: 'error', message: `the status could not be written: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  async #reconcileOne(ns: string, held: Held, input: PassInput, info: { reconcileId: number; io: AbortSignal }) {
    const { clock, metrics, requeue } = this.#deps;
    const started = clock.now();
    let outcome: ReconcileOutcome;
    try {
      outcome = await held.world.reconcile(input, { reconcileId: info.reconcileId, signal: info.io });
    } catch (error) {
      outcome = { kind: 'error', message: error instanceof Error ? error.message : String(error) };
    }
    const ended = clock.now();
    held.failures = outcome.kind === 'error' ? held.failures + 1 : 0;
    held.nextDue = ended + nextDelay(outcome, held.failures, ended, (this.#deps.random ?? Math.random)(), requeue);
    metrics.observeReconcile('firmwarden', reconcileResultOf(outcome.kind), (ended - started) / 1000, { terminal: outcome.kind === 'terminal', tenant: ns });
    return held.world.takeWrite();
  }

  /**
   * Stops working on these tenants: none of them starts again, the reconciles running finish
   * (their state saved), then their worlds close and their metrics go. What beforeRelease of a
   * shard waits for.
   */
  async release(namespaces: readonly string[]): Promise<void> {
    this.#queue.remove(namespaces);
    await Promise.all(namespaces.map(async (ns) => {
      const held = this.#held.get(ns);
      if (!held) return;
      await held.running;
      if (this.#held.get(ns) !== held) return;
      this.#held.delete(ns);
      this.#deps.metrics.forgetTenant(ns);
      await held.world.close();
    }));
  }

  /** Releases every tenant. */
  close(): Promise<void> {
    return this.release(this.namespaces());
  }
}
