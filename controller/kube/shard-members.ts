// Membership for sharding: each replica renews a member Lease `<prefix><identity>` every round;
// the live replicas are the member Leases whose record changed within leaseDuration, as seen on
// our own clock (as for the shard Leases, so clock skew between replicas does not matter).
// A member Lease nobody renewed for a long time (a replica killed with -9) is deleted, so
// Deployments with fresh pod names do not pile them up.
import type { Logger } from '../log/logger.ts';
import type { KubeClient } from './kube-client.ts';
import { mayAcquire, nextLeaseSpec, sameRecord, type ObservedLease } from './lease-record.ts';
import { deleteLease, writeLease, type LeaseObject } from './lease-writes.ts';
import { memberLeaseName } from './shard-assignment.ts';

/** Member Leases unchanged for this many lease durations are deleted by any live replica. */
const forgetAfterLeaseDurations = 4;

/** What a MemberLease needs. */
export interface MemberLeaseOptions {
  client: KubeClient;
  namespace: string;
  prefix: string;
  identity: string;
  leaseDurationMs: number;
  timeoutMs: number;
  logger: Logger;
}

/** This replica's member Lease, and what it sees of the others'. */
export class MemberLease {
  readonly name: string;
  readonly #o: MemberLeaseOptions;
  #observed = new Map<string, ObservedLease>();
  #own: LeaseObject | undefined;
  #since: number | undefined;

  constructor(options: MemberLeaseOptions) {
    this.#o = options;
    this.name = memberLeaseName(options.prefix, options.identity);
  }

  /** When this replica's member Lease was first written (undefined until then). */
  get registeredSince(): number | undefined {
    return this.#since;
  }

  /**
   * Renews our member Lease (`leases` is this round's list of the namespace) and returns the
   * identities of the live members; `registered` is false when the write failed or another live
   * replica uses the same member Lease name.
   */
  async renew(leases: readonly LeaseObject[], now: number): Promise<{ registered: boolean; live: string[] }> {
    const { prefix, identity, leaseDurationMs } = this.#o;
    const members = leases.filter((l) => l.metadata.name.startsWith(prefix));
    const next = new Map<string, ObservedLease>();
    for (const lease of members) {
      const spec = lease.spec ?? {};
      const seen = this.#observed.get(lease.metadata.name);
      next.set(lease.metadata.name, seen && sameRecord(seen.spec, spec) ? seen : { spec, observedAt: now });
    }
    this.#observed = next;
    const mine = members.find((l) => l.metadata.name === this.name);
    let registered = false;
    try {
      if (mine && !mayAcquire(identity, next.get(this.name)!, now, leaseDurationMs)) {
        this.#o.logger.error({ lease: this.name, holder: mine.spec?.holderIdentity }, 'another live replica renews this member Lease: give each replica its own --identity');
      } else {
        const written = await writeLease(this.#o.client, this.#o.namespace, this.name, mine, nextLeaseSpec(identity, mine?.spec, now, leaseDurationMs), this.#o.timeoutMs);
        if (written) {
          this.#own = written;
          this.#since ??= now;
          registered = true;
        }
      }
    } catch (error) {
      this.#o.logger.warn({ err: error, lease: this.name }, 'could not renew the member Lease; retrying');
    }
    const live = new Set<string>(registered ? [identity] : []);
    for (const lease of members) {
      const observed = next.get(lease.metadata.name)!;
      const holder = observed.spec.holderIdentity ?? '';
      if (lease.metadata.name === this.name || holder === '') continue;
      if (!mayAcquire(identity, observed, now, leaseDurationMs)) live.add(holder);
      else if (observed.observedAt + forgetAfterLeaseDurations * leaseDurationMs <= now) void this.#forget(lease);
    }
    return { registered, live: [...live] };
  }

  async #forget(lease: LeaseObject): Promise<void> {
    try {
      if (await deleteLease(this.#o.client, this.#o.namespace, lease, this.#o.timeoutMs)) this.#o.logger.info({ lease: lease.metadata.name }, 'deleted the member Lease of a replica gone for good');
    } catch (error) {
      this.#o.logger.debug({ err: error, lease: lease.metadata.name }, 'could not delete a stale member Lease');
    }
  }

  /** Deletes our member Lease on shutdown, so the others count one replica fewer at once (best effort). */
  async leave(): Promise<void> {
    if (!this.#own) return;
    try {
      await deleteLease(this.#o.client, this.#o.namespace, this.#own, this.#o.timeoutMs);
    } catch (error) {
      this.#o.logger.warn({ err: error, lease: this.name }, 'could not delete the member Lease; the others stop counting it after the lease duration');
    }
    this.#own = undefined;
  }
}
