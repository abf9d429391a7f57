// The sharding flags of `run --kubernetes`, parsed and checked (issue 16.3): `--shards N` splits
// the tenants over N shard Leases shared by the replicas instead of one leader doing all;
// `--member-lease-prefix` names each replica's member Lease. Pure: the caller passes the values
// (flag or environment) it read.
import { UsageError } from './usage-error.ts';

/** The flags, to spread into the command's option table. */
export const shardFlags = {
  shards: { type: 'string' },
  'member-lease-prefix': { type: 'string' },
} as const;

/** Their lines of `run --kubernetes --help`. */
export const shardHelp = `  --shards N               split the tenants over N shard Leases (firmwarden-shard-0 … N-1) that the
                           replicas share; needs the Role in examples/deploy/sharding/ (default: off,
                           one leader does everything; 16 is a good start with Tenants)
  --member-lease-prefix P  prefix of each replica's member Lease, <P><identity> (default: firmwarden-member-)`;

/** Checked sharding settings. */
export interface ShardOptions {
  shards: number;
  memberLeasePrefix: string;
}

/** Most shards a run may use: each is a Lease renewed every retry period. */
export const maxShards = 1024;

/** Sharding settings from the flag values, or undefined when --shards is not given (one leader, as before). */
export function resolveShardOptions(values: { shards?: string | undefined; 'member-lease-prefix'?: string | undefined }): ShardOptions | undefined {
  const prefix = values['member-lease-prefix'];
  if (values.shards === undefined) {
    if (prefix !== undefined) throw new UsageError('--member-lease-prefix is only used with --shards N; add --shards or drop it');
    return undefined;
  }
  const shards = Number(values.shards);
  if (!/^\d+$/.test(values.shards.trim()) || shards < 1 || shards > maxShards) {
    throw new UsageError(`invalid --shards '${values.shards}' (use a whole number from 1 to ${maxShards}, e.g. 16)`);
  }
  const memberLeasePrefix = prefix ?? 'firmwarden-member-';
  if (!/^[a-z0-9]([a-z0-9.-]{0,98})$/.test(memberLeasePrefix) || memberLeasePrefix.startsWith('firmwarden-shard-')) {
    throw new UsageError(`invalid --member-lease-prefix '${memberLeasePrefix}' (lower-case letters, digits, '-' and '.', starting with a letter or digit, at most 99 characters, not starting with firmwarden-shard-)`);
  }
  return { shards, memberLeasePrefix };
}
