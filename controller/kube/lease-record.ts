// The pure part of leader election: reading a coordination.k8s.io/v1 Lease, deciding whether
// it may be taken, and building the next spec. Times in the Lease are written for people and
// tools; the decision itself uses when *we* last saw the record change (observedAt, our own
// clock), so clock skew between replicas cannot make a live leader's lease look expired.

/** The fields of a Lease's spec that leader election uses. */
export interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number | null;
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number | null;
}

/** What one elector last saw of the lease. */
export interface ObservedLease {
  spec: LeaseSpec;
  /** Our clock's time when the spec last changed (ms since the epoch). */
  observedAt: number;
}

/** Formats a MicroTime the way the API server parses it (RFC 3339 with six fractional digits). */
export function formatMicroTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** True when two specs describe the same record (the holder renewed or changed otherwise). */
export function sameRecord(a: LeaseSpec, b: LeaseSpec): boolean {
  return (
    (a.holderIdentity ?? '') === (b.holderIdentity ?? '') &&
    (a.renewTime ?? '') === (b.renewTime ?? '') &&
    (a.acquireTime ?? '') === (b.acquireTime ?? '') &&
    (a.leaseTransitions ?? 0) === (b.leaseTransitions ?? 0) &&
    (a.leaseDurationSeconds ?? 0) === (b.leaseDurationSeconds ?? 0)
  );
}

/**
 * May `identity` take or renew the lease now? Yes when it holds it, when nobody does
 * (released), or when the holder has not renewed for `leaseDurationMs` as observed by us.
 */
export function mayAcquire(identity: string, observed: ObservedLease, now: number, leaseDurationMs: number): boolean {
  const holder = observed.spec.holderIdentity ?? '';
  if (holder === '' || holder === identity) return true;
  return observed.observedAt + leaseDurationMs <= now;
}

/** The spec to write when `identity` takes or renews the lease. */
export function nextLeaseSpec(identity: string, current: LeaseSpec | undefined, now: number, leaseDurationMs: number): LeaseSpec {
  const renewing = current !== undefined && (current.holderIdentity ?? '') === identity;
  const transitions = current?.leaseTransitions ?? 0;
  return {
    holderIdentity: identity,
    leaseDurationSeconds: Math.max(1, Math.ceil(leaseDurationMs / 1000)),
    acquireTime: renewing && current.acquireTime ? current.acquireTime : formatMicroTime(now),
    renewTime: formatMicroTime(now),
    leaseTransitions: renewing || current === undefined ? transitions : transitions + 1,
  };
}

/** The spec that gives the lease up: no holder, so the next elector takes it at once. */
export function releasedLeaseSpec(current: LeaseSpec, now: number): LeaseSpec {
  return {
    holderIdentity: null,
    leaseDurationSeconds: 1,
    acquireTime: formatMicroTime(now),
    renewTime: formatMicroTime(now),
    leaseTransitions: current.leaseTransitions ?? 0,
  };
}
