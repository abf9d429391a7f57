// The sharding flags: off unless --shards is given, whole numbers in range, Lease-name prefixes.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveShardOptions } from '../../controller/config/shard-options.ts';
import { UsageError } from '../../controller/config/usage-error.ts';

const test = suite('shard options');

test('accepted values', () => {
  const cases: [Parameters<typeof resolveShardOptions>[0], ReturnType<typeof resolveShardOptions>][] = [
    [{}, undefined],
    [{ shards: '16' }, { shards: 16, memberLeasePrefix: 'firmwarden-member-' }],
    [{ shards: ' 1 ' }, { shards: 1, memberLeasePrefix: 'firmwarden-member-' }],
    [{ shards: '1024', 'member-lease-prefix': 'fw.members-' }, { shards: 1024, memberLeasePrefix: 'fw.members-' }],
  ];
  for (const [values, expected] of cases) assert.equal(resolveShardOptions(values), expected, JSON.stringify(values));
});

test('refused values name the flag and say what to write', () => {
  const cases: [Parameters<typeof resolveShardOptions>[0], RegExp][] = [
    [{ shards: '0' }, /invalid --shards '0' \(use a whole number from 1 to 1024/],
    [{ shards: '1025' }, /--shards '1025'/],
    [{ shards: '2.5' }, /--shards '2.5'/],
    [{ shards: 'many' }, /--shards 'many'/],
    [{ shards: '4', 'member-lease-prefix': 'Members_' }, /invalid --member-lease-prefix 'Members_'/],
    [{ shards: '4', 'member-lease-prefix': 'firmwarden-shard-m-' }, /not starting with firmwarden-shard-/],
    [{ 'member-lease-prefix': 'x-' }, /only used with --shards N/],
  ];
  for (const [values, message] of cases) {
    try {
      resolveShardOptions(values);
      assert.unreachable(JSON.stringify(values));
    } catch (error) {
      assert.instance(error, UsageError);
      assert.match((error as Error).message, message);
    }
  }
});

test.run();
