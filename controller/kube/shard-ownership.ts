// Which shards (and so which tenants) this replica works on. Each shard is a Lease taken with
// the leader-election protocol (lease-record.ts: take when free or unchanged for leaseDuration
// on our clock; every write guarded by resourceVersion, so never two holders); each replica
// also renews a member Lease (shard-members.ts), and holds its share of the shards
// (shard-assignment.ts). Every retryPeriod, one round: list the namespace's Leases, renew the
// member Lease, renew held shards, take free or expired ones up to the share, hand extras over.
// The gate is owns(shard): true only while the last successful renewal is younger than
// renewDeadline (< leaseDuration), checked on the clock at each call, so a replica that lost
// the API server stops starting work before anyone else may take the shard over.
import type { Clock } from '../model/clock.ts';
import type { Logger } from '../log/logger.ts';
import type { KubeClient } from './kube-client.ts';
import { checkTiming, defaultLeaderElectionTiming, type LeaderElectionTiming } from './leader-elector.ts';
import { mayAcquire, nextLeaseSpec, releasedLeaseSpec, sameRecord, type ObservedLease } from './lease-record.ts';
import { listLeases, writeLease, type LeaseObject } from './lease-writes.ts';
import { MemberLease } from './shard-members.ts';
import { planShards, shardLeaseName, type ShardView } from './shard-assignment.ts';

/** Why a shard's ownership changed. */
export type ShardChangeReason = 'acquired' | 'handing-over' | 'renew-deadline' | 'taken-by-another' | 'stopping';

/** One change of the owned set: start (owned) or stop (not owned) the shard's tenants. */
export interface ShardChange {
  shard: number;
  owned: boolean;
  reason: ShardChangeReason;
}

/** What a ShardOwnership needs. */
export interface ShardOwnershipOptions {
  client: KubeClient;
  namespace: string;
  identity: string;
  shards: number;
  shardLeasePrefix?: string;
  memberLeasePrefix?: string;
  timing?: Partial<LeaderElectionTiming>;
  clock: Clock;
  logger: Logger;
  /** Resolves once the shard's work has stopped (in-flight operations done); only then is its Lease released. */
  beforeRelease?: (shard: number) => Promise<void>;
  /** Called on every change of owns(shard) that a round notices. */
  onChange?: (change: ShardChange) => void;
}

interface Held {
  renewedAt: number;
  state: 'active' | 'handing-over';
  hook?: 'running' | 'done' | 'failed';
}

/** Holds this replica's share of the shard Leases. */
export class ShardOwnership {
  readonly identity: string;
  readonly timing: LeaderElectionTiming;
  readonly #o: ShardOwnershipOptions;
  readonly #prefix: string;
  readonly #members: MemberLease;
  readonly #log: Logger;
  readonly #held = new Map<number, Held>();
  #observed = new Map<number, ObservedLease>();
  #stopping = false;
  #loop: { abort: AbortController; done: Promise<void> } | undefined;

  constructor(options: ShardOwnershipOptions) {
    if (!Number.isInteger(options.shards) || options.shards < 1) throw new RangeError(`shards must be a whole number of at least 1 (got ${options.shards})`);
    this.#o = options;
    this.identity = options.identity;
    this.timing = { ...defaultLeaderElectionTiming, ...options.timing };
    checkTiming(this.timing);
    this.#prefix = options.shardLeasePrefix ?? 'firmwarden-shard-';
    const memberPrefix = options.memberLeasePrefix ?? 'firmwarden-member-';
    if (memberPrefix.startsWith(this.#prefix) || this.#prefix.startsWith(memberPrefix)) throw new RangeError(`the member Lease prefix '${memberPrefix}' and the shard Lease prefix '${this.#prefix}' must not overlap`);
    this.#log = options.logger.child({ component: 'sharding', identity: this.identity });
    this.#members = new MemberLease({ client: options.client, namespace: options.namespace, prefix: memberPrefix, identity: this.identity, leaseDurationMs: this.timing.leaseDurationMs, timeoutMs: this.timing.renewDeadlineMs, logger: this.#log });
  }

  /** The gate: may this replica start work for `shard` right now? */
  owns(shard: number): boolean {
    const held = this.#held.get(shard);
    return held?.state === 'active' && this.#o.clock.now() < held.renewedAt + this.timing.renewDeadlineMs;
  }

  /** The shards owns() is true for now, in order. */
  owned(): number[] {
    return [...this.#held.keys()].filter((s) => this.owns(s)).sort((a, b) => a - b);
  }

  #emit(shard: number, owned: boolean, reason: ShardChangeReason): void {
    this.#log.info({ shard, reason }, owned ? 'took the shard' : 'stopped working on the shard');
    try {
      this.#o.onChange?.({ shard, owned, reason });
    } catch (error) {
      this.#log.error({ err: error, shard }, 'the shard change handler failed');
    }
  }

  #drop(shard: number, reason: ShardChangeReason): void {
    const held = this.#held.get(shard);
    this.#held.delete(shard);
    if (held?.state === 'active') this.#emit(shard, false, reason);
  }

  /** One round (the loop runs one every retryPeriod; tests call it directly with a manual clock). */
  async tick(): Promise<void> {
    const { client, namespace, clock } = this.#o;
    const now = clock.now();
    for (const [shard, held] of this.#held) if (now >= held.renewedAt + this.timing.renewDeadlineMs) this.#drop(shard, 'renew-deadline');
    let items: LeaseObject[];
    try {
      items = await listLeases(client, namespace, this.timing.renewDeadlineMs);
    } catch (error) {
      this.#log.warn({ err: error }, 'could not list the Leases; retrying');
      return;
    }
    const membership = await this.#members.renew(items, now);
    const byName = new Map(items.map((l) => [l.metadata.name, l]));
    const views: ShardView[] = [];
    const observed = new Map<number, ObservedLease>();
    for (let shard = 0; shard < this.#o.shards; shard++) {
      const spec = byName.get(shardLeaseName(this.#prefix, shard))?.spec ?? {};
      const seen = this.#observed.get(shard);
      const o = seen && sameRecord(seen.spec, spec) ? seen : { spec, observedAt: now };
      observed.set(shard, o);
      const holder = spec.holderIdentity ?? '';
      views.push({ holder, expired: holder !== '' && holder !== this.identity && mayAcquire(this.identity, o, now, this.timing.leaseDurationMs) });
      if (this.#held.has(shard) && holder !== this.identity) this.#drop(shard, 'taken-by-another');
    }
    this.#observed = observed;
    const inState = (state: Held['state']) => new Set([...this.#held].filter(([, h]) => h.state === state).map(([s]) => s));
    const plan = planShards({
      identity: this.identity, views, liveMembers: membership.live, active: inState('active'), handingOver: inState('handing-over'),
      mayTake: !this.#stopping && membership.registered && now >= (this.#members.registeredSince ?? now) + this.timing.retryPeriodMs,
      stopping: this.#stopping,
    });
    for (const shard of plan.handOver) this.#handOver(shard);
    const write = async (shard: number, release: boolean): Promise<void> => {
      const name = shardLeaseName(this.#prefix, shard);
      const current = byName.get(name);
      const spec = release ? releasedLeaseSpec(current?.spec ?? {}, now) : nextLeaseSpec(this.identity, current?.spec, now, this.timing.leaseDurationMs);
      try {
        const written = await writeLease(client, namespace, name, current, spec, this.timing.renewDeadlineMs);
        if (!written) return; // another replica wrote first: the next round sees who holds it
        this.#observed.set(shard, { spec, observedAt: now });
        if (release) {
          this.#held.delete(shard);
          this.#log.info({ shard }, 'released the shard');
        } else if (this.#held.has(shard)) {
          this.#held.get(shard)!.renewedAt = now;
        } else if (!this.#stopping) {
          this.#held.set(shard, { renewedAt: now, state: 'active' });
          this.#emit(shard, true, 'acquired');
        }
      } catch (error) {
        this.#log.warn({ err: error, shard }, release ? 'could not release the shard; retrying' : 'could not write the shard Lease; retrying until the renew deadline');
      }
    };
    const writes: Promise<void>[] = [];
    for (const [shard, held] of this.#held) {
      if (held.hook === 'failed') this.#handOver(shard);
      writes.push(write(shard, held.hook === 'done'));
    }
    for (const shard of plan.take) writes.push(write(shard, false));
    await Promise.all(writes);
  }

  /** Closes the gate at once, then waits for beforeRelease; the next round releases the Lease. */
  #handOver(shard: number): void {
    const held = this.#held.get(shard);
    if (!held || held.hook === 'running' || held.hook === 'done') return;
    if (held.state === 'active') {
      held.state = 'handing-over';
      this.#emit(shard, false, this.#stopping ? 'stopping' : 'handing-over');
    }
    held.hook = 'running';
    Promise.resolve()
      .then(() => this.#o.beforeRelease?.(shard))
      .then(
        () => (held.hook = 'done'),
        (error: unknown) => {
          held.hook = 'failed';
          this.#log.error({ err: error, shard }, 'the shard work did not stop cleanly; keeping the Lease and trying again');
        },
      );
  }

  /** Runs a round every retryPeriod until stop() or abandon(). */
  start(): void {
    if (this.#loop) return;
    const abort = new AbortController();
    const run = async (): Promise<void> => {
      while (!abort.signal.aborted) {
        await this.tick();
        if (this.#stopping && this.#held.size === 0) return;
        await this.#o.clock.sleep(this.timing.retryPeriodMs, abort.signal).catch(() => undefined);
      }
    };
    this.#loop = { abort, done: run() };
  }

  /** Graceful shutdown: hands every shard over (beforeRelease, then release) and deletes the member Lease. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.start();
    await this.#loop!.done;
    await this.#members.leave();
  }

  /** Stops the rounds without releasing anything, as `kill -9` would (for tests): others take over after leaseDuration. */
  async abandon(): Promise<void> {
    this.#loop?.abort.abort();
    await this.#loop?.done;
  }
}
