// The pure rules of sharding: the hash is FNV-1a and stays put, 200 namespaces spread evenly
// over 16 shards, shares add up to the shard count, and one replica's take/hand-over decision.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { desiredShardCount, fnv1a32, memberLeaseName, planShards, preferenceOrder, shardOf, type ShardPlanInput, type ShardView } from '../../controller/kube/shard-assignment.ts';

const test = suite('shard assignment');

test('FNV-1a 32 matches the published test vectors', () => {
  for (const [text, hash] of [['', 0x811c9dc5], ['a', 0xe40c292c], ['foobar', 0xbf9cf968]] as const) assert.is(fnv1a32(text), hash, text);
});

test('shardOf is stable: these namespaces stay on these shards in every release', () => {
  // Changing any of these moves tenants between replicas at an upgrade: do not.
  const table: [string, number, number][] = [
    ['default', 14, 2], ['contoso', 0, 0], ['fabrikam', 6, 2], ['tenant-001', 11, 3], ['tenant-002', 14, 2], ['northwind-traders', 6, 2], ['München', 3, 3],
  ];
  for (const [namespace, of16, of4] of table) {
    assert.is(shardOf(namespace, 16), of16, `${namespace} of 16`);
    assert.is(shardOf(namespace, 4), of4, `${namespace} of 4`);
    assert.is(shardOf(namespace, 1), 0);
  }
});

test('200 namespaces spread over 16 shards: every shard gets between 8 and 18 (12.5 expected)', () => {
  const namings: [string, (i: number) => string][] = [
    ['tenant-NNN', (i) => `tenant-${String(i).padStart(3, '0')}`],
    ['customerN', (i) => `customer${i}`],
    ['contoso-N', (i) => `contoso-${i}`],
    ['words', (i) => `${['acme', 'globex', 'initech', 'umbrella', 'hooli'][i % 5]}-${['eu', 'us', 'apac', 'gov'][i % 4]}-${Math.floor(i / 20)}`],
  ];
  for (const [name, make] of namings) {
    const counts = new Array<number>(16).fill(0);
    const names = new Set<string>();
    for (let i = 1; i <= 200; i++) names.add(make(i));
    for (const ns of names) counts[shardOf(ns, 16)]!++;
    assert.ok(Math.min(...counts) >= 8 && Math.max(...counts) <= 18, `${name}: ${counts.join(',')}`);
  }
});

test('member Lease names are DNS subdomains whatever the identity', () => {
  const table: [string, string][] = [
    ['firmwarden-7d9f-abcde', 'firmwarden-member-firmwarden-7d9f-abcde'],
    ['Host_1234', 'firmwarden-member-host-1234'],
    ['__', 'firmwarden-member-replica'],
    ['a'.repeat(300), `firmwarden-member-${'a'.repeat(253 - 18)}`],
  ];
  for (const [identity, name] of table) assert.is(memberLeaseName('firmwarden-member-', identity), name, identity);
});

test('shares: each replica holds floor or ceil of S/R and the shares add up to S', () => {
  assert.is(desiredShardCount('a', [], 16), 16, 'alone (not registered yet) it counts itself');
  assert.equal(['a', 'b', 'c'].map((id) => desiredShardCount(id, ['c', 'b', 'a'], 16)), [6, 5, 5]);
  assert.equal(['a', 'b'].map((id) => desiredShardCount(id, ['a', 'b', 'a'], 3)), [2, 1], 'duplicates count once');
  for (let r = 1; r <= 20; r++) {
    const members = Array.from({ length: r }, (_, i) => `replica-${i}`);
    const shares = members.map((id) => desiredShardCount(id, members, 16));
    assert.is(shares.reduce((a, b) => a + b, 0), 16, `R=${r}`);
    assert.ok(shares.every((s) => s <= Math.ceil(16 / r) && s >= Math.floor(16 / r)), `R=${r}: ${shares}`);
  }
});

test('preference order starts at a point of the identity and goes round', () => {
  assert.equal(preferenceOrder('a', 5), [0, 1, 2, 3, 4]);
  const order = preferenceOrder('replica-b', 16);
  assert.equal([...order].sort((x, y) => x - y), Array.from({ length: 16 }, (_, i) => i));
});

const free: ShardView = { holder: '', expired: false };
const views = (n: number, set: Record<number, ShardView> = {}): ShardView[] => Array.from({ length: n }, (_, i) => set[i] ?? free);
const input = (over: Partial<ShardPlanInput>): ShardPlanInput => ({ identity: 'a', views: views(4), liveMembers: ['a'], active: new Set(), handingOver: new Set(), mayTake: true, ...over });

test('take or hand over: one replica\'s decision', () => {
  // identity 'a' prefers 0, 1, 2, 3 (preferenceOrder('a', 4)).
  assert.equal(preferenceOrder('a', 4), [0, 1, 2, 3]);
  const cases: [string, Partial<ShardPlanInput>, { target: number; take: number[]; handOver: number[] }][] = [
    ['alone: takes every free shard', {}, { target: 4, take: [0, 1, 2, 3], handOver: [] }],
    ['not a registered member yet: takes nothing', { mayTake: false }, { target: 4, take: [], handOver: [] }],
    ['two members: takes its share', { liveMembers: ['a', 'b'] }, { target: 2, take: [0, 1], handOver: [] }],
    ['the second of two members takes the pool after what the first lacks', { identity: 'b', liveMembers: ['a', 'b'] }, { target: 2, take: [2, 3], handOver: [] }],
    ['a fresh holder keeps its shard; an expired one loses it', { liveMembers: ['a', 'b'], views: views(4, { 0: { holder: 'b', expired: false }, 1: { holder: 'c', expired: true } }) }, { target: 2, take: [1, 2], handOver: [] }],
    ['its own lease from before a restart counts as takeable', { views: views(4, { 3: { holder: 'a', expired: false } }), active: new Set([0, 1, 2]) }, { target: 4, take: [3], handOver: [] }],
    ['at its share: nothing to do', { liveMembers: ['a', 'b'], active: new Set([0, 1]) }, { target: 2, take: [], handOver: [] }],
    ['a replica joined: hands over the extras it prefers least', { liveMembers: ['a', 'b', 'c', 'd'], active: new Set([0, 1, 2, 3]) }, { target: 1, take: [], handOver: [3, 2, 1] }],
    ['shards being handed over count toward its share', { liveMembers: ['a', 'b'], active: new Set([0]), handingOver: new Set([1]) }, { target: 2, take: [], handOver: [] }],
    ['stopping: hands everything over, takes nothing', { stopping: true, mayTake: false, active: new Set([0, 2]) }, { target: 0, take: [], handOver: [2, 0] }],
  ];
  for (const [name, over, expected] of cases) assert.equal(planShards(input(over)), expected, name);
});

test('replicas that see the same Leases take disjoint shards (no lost races, so no lost rounds)', () => {
  const ids = ['replica-a', 'replica-b', 'replica-c'];
  // [who holds each of 16 shards ('' free, 'x' = a dead replica's expired lease), survivors]
  const states: [string[], string[]][] = [
    [new Array(16).fill(''), ids],
    [[...'aaaaaabbbbbxxxxx'], ['replica-a', 'replica-b']],
    [[...'aaaaaxxxxxxccccc'], ['replica-a', 'replica-c']],
    [[...'aaaaaa   bbbbb  '], ids],
    [[...'xxxxxxxxxxxxxxxx'], ids],
  ];
  for (const [holders, live] of states) {
    const views = holders.map((h) => (h === 'x' ? { holder: 'replica-x', expired: true } : { holder: h.trim() && `replica-${h}`, expired: false }));
    const takes = live.map((id) => {
      const active = new Set(views.flatMap((v, s) => (v.holder === id ? [s] : [])));
      return planShards({ identity: id, views, liveMembers: live, active, handingOver: new Set(), mayTake: true }).take;
    });
    const all = takes.flat();
    assert.is(new Set(all).size, all.length, `${holders.join('')}: ${JSON.stringify(takes)}`);
    const free = views.filter((v) => v.holder === '' || v.expired).length;
    assert.is(all.length, free, `${holders.join('')}: every free or expired shard is taken in one round`);
  }
});

test('three replicas deciding in turn over 16 shards converge to 6/5/5 and never share a shard', () => {
  const ids = ['r1', 'r2', 'r3'];
  const holder = new Array<string>(16).fill('');
  const active = new Map(ids.map((id) => [id, new Set<number>()]));
  for (let round = 0; round < 4; round++) {
    for (const id of ids) {
      const mine = active.get(id)!;
      const plan = planShards({ identity: id, views: holder.map((h) => ({ holder: h, expired: false })), liveMembers: ids, active: mine, handingOver: new Set(), mayTake: true });
      for (const s of plan.handOver) (mine.delete(s), (holder[s] = ''));
      for (const s of plan.take) (mine.add(s), (holder[s] = id));
    }
  }
  assert.equal(ids.map((id) => active.get(id)!.size), [6, 5, 5]);
  assert.is(new Set(ids.flatMap((id) => [...active.get(id)!])).size, 16);
});

test.run();
