// Leader election on a coordination.k8s.io/v1 Lease, so that of several replicas exactly one
// acts. The client library has none, so this follows the protocol client-go uses:
// - acquire: every retryPeriod, take the lease when nobody holds it or its holder has not
//   renewed for leaseDuration (measured from when we saw the record change, on our clock);
// - lead: renew every retryPeriod; if no renewal succeeded for renewDeadline, stop leading.
//   renewDeadline < leaseDuration, so a leader that lost contact stops before anyone else
//   may start;
// - release: on shutdown, after the leader's work has stopped, clear the holder so a
//   standby takes over at once instead of waiting for the lease to expire.
// Every write carries the resourceVersion it read, so two electors racing for an expired
// lease cannot both win: the loser gets 409 Conflict.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Clock } from '../model/clock.ts';
import type { Logger } from '../log/logger.ts';
import type { KubeClient } from './kube-client.ts';
import { isAlreadyExists, isConflict, isNotFound } from './kube-error.ts';
import { leases, resourcePath, apiVersionOf } from './resources.ts';
import { mayAcquire, nextLeaseSpec, releasedLeaseSpec, sameRecord, type LeaseSpec, type ObservedLease } from './lease-record.ts';

/** Timing of leader election, in milliseconds. */
export interface LeaderElectionTiming {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

/** client-go's defaults: a dead leader is replaced within about 15 s. */
export const defaultLeaderElectionTiming: LeaderElectionTiming = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

/** What a LeaderElector needs. */
export interface LeaderElectorOptions {
  client: KubeClient;
  namespace: string;
  /** Name of the Lease object. */
  name: string;
  /** Unique per replica; defaults to hostname_uuid. */
  identity?: string;
  timing?: Partial<LeaderElectionTiming>;
  clock: Clock;
  logger: Logger;
  /** Random in [0, 1), for retry jitter. */
  random?: () => number;
}

interface LeaseObject {
  metadata: { name: string; namespace?: string; resourceVersion?: string };
  spec?: LeaseSpec;
}

/** Validates the timing: renewDeadline must be shorter than leaseDuration and longer than retryPeriod. */
export function checkTiming(t: LeaderElectionTiming): void {
  if (!(t.retryPeriodMs > 0 && t.renewDeadlineMs > t.retryPeriodMs && t.leaseDurationMs > t.renewDeadlineMs)) {
    throw new RangeError(`leader election needs 0 < retryPeriod < renewDeadline < leaseDuration (got ${t.retryPeriodMs}, ${t.renewDeadlineMs}, ${t.leaseDurationMs} ms)`);
  }
}

/** Competes for one Lease and runs the leader's work while it holds it. */
export class LeaderElector {
  readonly identity: string;
  readonly timing: LeaderElectionTiming;
  readonly #o: LeaderElectorOptions;
  readonly #log: Logger;
  readonly #random: () => number;
  #observed: ObservedLease | undefined;
  #leading = false;

  constructor(options: LeaderElectorOptions) {
    this.#o = options;
    this.identity = options.identity ?? `${hostname()}_${randomUUID()}`;
    this.timing = { ...defaultLeaderElectionTiming, ...options.timing };
    checkTiming(this.timing);
    this.#random = options.random ?? Math.random;
    this.#log = options.logger.child({ component: 'leader-election', lease: `${options.namespace}/${options.name}`, identity: this.identity });
  }

  /** True while this elector holds the lease (as of its last successful renewal). */
  get isLeader(): boolean {
    return this.#leading;
  }

  get #path(): string {
    return resourcePath(leases, this.#o.namespace, this.#o.name);
  }

  #observe(spec: LeaseSpec): void {
    if (!this.#observed || !sameRecord(this.#observed.spec, spec)) this.#observed = { spec, observedAt: this.#o.clock.now() };
  }

  /**
   * One attempt to take or renew the lease. True when we hold it afterwards. Never throws for
   * the expected outcomes (held by another, lost a race); throws on transport errors.
   */
  async tryAcquireOrRenew(timeoutMs = this.timing.renewDeadlineMs): Promise<boolean> {
    const { client, namespace, name, clock } = this.#o;
    const now = clock.now();
    let current: LeaseObject;
    try {
      current = await client.request<LeaseObject>({ path: this.#path, timeoutMs });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      const spec = nextLeaseSpec(this.identity, undefined, now, this.timing.leaseDurationMs);
      try {
        await client.request({
          method: 'POST',
          path: resourcePath(leases, namespace),
          body: { apiVersion: apiVersionOf(leases), kind: 'Lease', metadata: { name, namespace }, spec },
          timeoutMs,
        });
      } catch (createError) {
        if (isAlreadyExists(createError) || isConflict(createError)) return false;
        throw createError;
      }
      this.#observed = { spec, observedAt: now };
      return true;
    }
    const spec = current.spec ?? {};
    this.#observe(spec);
    if (!mayAcquire(this.identity, this.#observed!, now, this.timing.leaseDurationMs)) return false;
    const next = nextLeaseSpec(this.identity, spec, now, this.timing.leaseDurationMs);
    try {
      await client.request({ method: 'PUT', path: this.#path, body: { ...current, spec: next }, timeoutMs });
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
    this.#observed = { spec: next, observedAt: now };
    return true;
  }

  /** Gives the lease up if we hold it (best effort: an error is logged, not thrown). */
  async release(): Promise<void> {
    try {
      const current = await this.#o.client.request<LeaseObject>({ path: this.#path, timeoutMs: this.timing.renewDeadlineMs });
      if ((current.spec?.holderIdentity ?? '') !== this.identity) return;
      await this.#o.client.request({ method: 'PUT', path: this.#path, body: { ...current, spec: releasedLeaseSpec(current.spec ?? {}, this.#o.clock.now()) } });
      this.#log.info('released the lease');
    } catch (error) {
      this.#log.warn({ err: error }, 'could not release the lease; the next leader waits for it to expire');
    }
  }

  #jittered(ms: number): number {
    // client-go's jitter factor 1.2: replicas that started together drift apart.
    return ms * (1 + 0.2 * this.#random());
  }

  async #acquire(signal: AbortSignal): Promise<boolean> {
    let lastHolder: string | undefined;
    while (!signal.aborted) {
      try {
        if (await this.tryAcquireOrRenew()) return true;
        const holder = this.#observed?.spec.holderIdentity ?? '';
        if (holder !== lastHolder) {
          this.#log.info({ holder }, 'the lease is held by another replica; standing by');
          lastHolder = holder;
        }
      } catch (error) {
        this.#log.warn({ err: error }, 'could not read or write the lease; retrying');
      }
      await this.#o.clock.sleep(this.#jittered(this.timing.retryPeriodMs), signal).catch(() => undefined);
    }
    return false;
  }

  /** Renews until a renewal deadline is missed or `signal` aborts. */
  async #renew(signal: AbortSignal): Promise<void> {
    const { clock } = this.#o;
    let lastRenew = clock.now();
    while (!signal.aborted) {
      await clock.sleep(this.timing.retryPeriodMs, signal).catch(() => undefined);
      if (signal.aborted) return;
      const remaining = lastRenew + this.timing.renewDeadlineMs - clock.now();
      if (remaining <= 0) {
        this.#log.warn('could not renew the lease within the renew deadline; stepping down');
        return;
      }
      try {
        if (await this.tryAcquireOrRenew(Math.max(1, remaining))) {
          lastRenew = clock.now();
          continue;
        }
        this.#log.warn({ holder: this.#observed?.spec.holderIdentity }, 'the lease was taken by another replica; stepping down');
        return;
      } catch (error) {
        this.#log.warn({ err: error }, 'renewing the lease failed; retrying until the renew deadline');
      }
      if (lastRenew + this.timing.renewDeadlineMs <= clock.now()) {
        this.#log.warn('could not renew the lease within the renew deadline; stepping down');
        return;
      }
    }
  }

  /**
   * Waits for the lease, runs `lead` while holding it (its signal aborts when leadership is
   * lost or `signal` aborts), and returns once leadership has ended. Returns 'lost' when
   * the lease was lost while `signal` was still live (callers usually exit so that a fresh
   * process competes again), 'stopped' when `signal` or the work itself ended it (the lease
   * is then released).
   */
  async run(signal: AbortSignal, lead: (leaderSignal: AbortSignal) => Promise<void> | void): Promise<'lost' | 'stopped'> {
    if (!(await this.#acquire(signal))) return 'stopped';
    this.#leading = true;
    this.#log.info('became the leader');
    const leadership = new AbortController();
    const onStop = () => leadership.abort(signal.reason);
    signal.addEventListener('abort', onStop, { once: true });
    const work = Promise.resolve()
      .then(() => lead(leadership.signal))
      .catch((error: unknown) => this.#log.error({ err: error }, 'the leader work failed'));
    const renewal = this.#renew(leadership.signal).then(() => 'renewal-ended' as const);
    let outcome: 'renewal-ended' | 'work-ended';
    try {
      outcome = await Promise.race([renewal, work.then(() => 'work-ended' as const)]);
    } finally {
      signal.removeEventListener('abort', onStop);
      this.#leading = false;
      leadership.abort(new Error('leadership ended'));
      // Wait for the work (and any renewal in flight) to stop before the lease is released,
      // so two leaders never overlap.
      await work;
      await renewal;
    }
    if (signal.aborted || outcome === 'work-ended') {
      await this.release();
      return 'stopped';
    }
    this.#log.warn('lost the leadership');
    return 'lost';
  }
}
