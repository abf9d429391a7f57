// The pure part of sharding tenants over controller replicas: which shard a tenant's namespace
// falls in, how many shards each live replica should hold, and what one replica does next
// (renew, take, hand over) given the shard Leases it observed. No I/O, no clock: the caller
// (kube/shard-ownership.ts) passes what it saw and when.

/** Default number of shards (`--shards`). */
export const defaultShardCount = 16;

/** 32-bit FNV-1a over the UTF-8 bytes of `text`. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * The shard of a tenant, by the namespace of its Tenant manifest. Stable across releases and
 * replicas: changing this function moves every tenant at the next upgrade, so do not "improve" it.
 */
export function shardOf(namespace: string, shards: number): number {
  return fnv1a32(namespace) % shards;
}

/** Name of shard `shard`'s Lease. */
export function shardLeaseName(prefix: string, shard: number): string {
  return `${prefix}${shard}`;
}

/**
 * Name of a replica's member Lease: a Lease name is a DNS subdomain, an identity may be
 * `host_pid` or carry capitals, so those become '-' (the identity itself is the holder).
 */
export function memberLeaseName(prefix: string, identity: string): string {
  const safe = identity.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[.-]+|[.-]+$/g, '');
  return `${prefix}${safe || 'replica'}`.slice(0, 253).replace(/[.-]+$/, '');
}

/**
 * How many shards `identity` should hold when `liveMembers` (itself included or not) are alive:
 * every replica ranks the members by identity, so their answers add up to exactly `shards` when
 * they see the same members; the first `shards mod R` take one more (never above ceil(S/R)).
 */
export function desiredShardCount(identity: string, liveMembers: readonly string[], shards: number): number {
  const members = [...new Set([...liveMembers, identity])].sort();
  const base = Math.floor(shards / members.length);
  return base + (members.indexOf(identity) < shards % members.length ? 1 : 0);
}

/** The order in which `identity` prefers shards (kept longest when handing over; taken first when views differ): from a point of its own around the ring. */
export function preferenceOrder(identity: string, shards: number): number[] {
  const start = fnv1a32(identity) % shards;
  return Array.from({ length: shards }, (_, i) => (start + i) % shards);
}

/** What one replica saw of one shard's Lease. */
export interface ShardView {
  /** Holder identity; '' when the lease is free (released or never created). */
  holder: string;
  /** The holder has not renewed for leaseDuration as observed on our clock. */
  expired: boolean;
}

/** Input of planShards. */
export interface ShardPlanInput {
  identity: string;
  /** Index = shard; a shard without a Lease is { holder: '', expired: false }. */
  views: readonly ShardView[];
  liveMembers: readonly string[];
  /** Shards this replica holds and works on. */
  active: ReadonlySet<number>;
  /** Shards this replica still holds while their work stops before release. */
  handingOver: ReadonlySet<number>;
  /** False while the replica is not a registered member yet, or is shutting down. */
  mayTake: boolean;
  /** Shutting down: hand everything over. */
  stopping?: boolean;
}

/** What to do this round. */
export interface ShardPlan {
  target: number;
  /** Free, expired, or (after a restart under the same identity) already ours: take them. */
  take: number[];
  /** Active shards to hand over: stop their work, then release the Lease. */
  handOver: number[];
}

/** Decides which shards to take and which to hand over so this replica moves toward its share. */
export function planShards(input: ShardPlanInput): ShardPlan {
  const shards = input.views.length;
  const target = input.stopping ? 0 : desiredShardCount(input.identity, input.liveMembers, shards);
  const order = preferenceOrder(input.identity, shards);
  const held = input.active.size + input.handingOver.size;
  if (input.active.size > target) {
    // Keep the shards we prefer; the others go to replicas below their share.
    const extra = order.filter((s) => input.active.has(s)).slice(target).reverse();
    return { target, take: [], handOver: extra.slice(0, input.active.size - target) };
  }
  if (!input.mayTake || held >= target) return { target, take: [], handOver: [] };
  const ours = (s: number): boolean => input.active.has(s) || input.handingOver.has(s);
  // Our own Lease from before a restart under the same identity: nobody else may take it yet.
  const stale = order.filter((s) => !ours(s) && input.views[s]!.holder === input.identity);
  const pool = input.views.flatMap((v, s) => (!ours(s) && v.holder !== input.identity && (v.holder === '' || v.expired) ? [s] : []));
  // Replicas that see the same Leases split the pool without racing: in identity order, each
  // takes as many as it lacks from where the previous ones' needs end. Our preference order
  // after that is the fallback when views differ (a lost race costs a round, never safety).
  const members = [...new Set([...input.liveMembers, input.identity])].sort();
  const heldBy = new Map<string, number>();
  for (const v of input.views) if (v.holder !== '' && !v.expired) heldBy.set(v.holder, (heldBy.get(v.holder) ?? 0) + 1);
  let offset = 0;
  for (const m of members) {
    if (m === input.identity) break;
    offset += Math.max(0, desiredShardCount(m, members, shards) - (heldBy.get(m) ?? 0));
  }
  const portion = pool.slice(offset, offset + target - held);
  const rest = order.filter((s) => pool.includes(s) && !portion.includes(s));
  return { target, take: [...stale, ...portion, ...rest].slice(0, target - held), handOver: [] };
}
