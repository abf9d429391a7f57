// What the notifier reads: valid channels and rules from the manifests (keys, routes, known events), and its memory from the state.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readConfig, restoreMemory, type NotifyManifest } from '../../controller/notify/notifier-inputs.ts';

const channel = (name: string, spec: object, namespace?: string, valid = true): NotifyManifest => ({
  kind: 'NotificationChannel', valid, manifest: { metadata: { name, ...(namespace ? { namespace } : {}) }, spec },
});
const rule = (name: string, spec: object, namespace?: string, valid = true): NotifyManifest => ({
  kind: 'NotificationRule', valid, manifest: { metadata: { name, ...(namespace ? { namespace } : {}) }, spec },
});
const secretRef = { name: 'hook', key: 'url' };

const Config = suite('channels and rules from the manifests');
Config('channels are keyed namespace/name, default namespace when none is given', () => {
  const { channels } = readConfig([channel('ops', { type: 'teams', secretRef }), channel('sec', { type: 'webhook', secretRef, signingSecretRef: secretRef }, 'it')]);
  assert.equal([...channels.keys()], ['default/ops', 'it/sec']);
  assert.equal(channels.get('it/sec'), { key: 'it/sec', namespace: 'it', type: 'webhook', secretRef, signingSecretRef: secretRef });
  assert.is(channels.get('default/ops')!.signingSecretRef, undefined);
});
for (const [name, spec, expected] of [
  ['a rule routes to the channel of its own namespace', { channelRef: { name: 'ops' }, events: ['RolloutStopped'] }, { channel: 'it/ops', events: ['RolloutStopped'], groups: [], policies: [], suspended: false }],
  ['events this version does not know are left out', { channelRef: { name: 'ops' }, events: ['RolloutStopped', 'SomethingNew'] }, { channel: 'it/ops', events: ['RolloutStopped'], groups: [], policies: [], suspended: false }],
  ['group and policy references become names', { channelRef: { name: 'ops' }, events: [], groupRefs: [{ name: 'paris' }], policyRefs: [{ name: 'p' }] }, { channel: 'it/ops', events: [], groups: ['paris'], policies: ['p'], suspended: false }],
  ['only suspend: true suspends', { channelRef: { name: 'ops' }, events: [], suspend: true }, { channel: 'it/ops', events: [], groups: [], policies: [], suspended: true }],
] as const) {
  Config(name, () => assert.equal(readConfig([rule('r', spec, 'it')]).rules, [{ key: 'it/r', ...expected }]));
}
Config('invalid manifests and other kinds are ignored', () => {
  const other: NotifyManifest = { kind: 'UpdatePolicy', valid: true, manifest: { metadata: { name: 'p' }, spec: {} } };
  const { channels, rules } = readConfig([channel('ops', { type: 'slack', secretRef }, undefined, false), rule('r', { channelRef: { name: 'ops' }, events: [] }, undefined, false), other]);
  assert.is(channels.size, 0);
  assert.equal(rules, []);
});
Config.run();

const Memory = suite('the memory kept in the state');
const kept = { version: 1, seen: { a: 1 }, waves: {}, outbox: [{ id: 'm1', events: [] }] };
for (const [name, value, expected] of [
  ['nothing kept', undefined, undefined],
  ['null', null, undefined],
  ['another version', { ...kept, version: 2 }, undefined],
  ['seen missing', { ...kept, seen: null }, undefined],
  ['waves missing', { ...kept, waves: undefined }, undefined],
  ['outbox not a list', { ...kept, outbox: {} }, undefined],
  ['a memory this version understands', kept, kept],
  ['unreadable messages are dropped, the rest kept', { ...kept, outbox: [null, { id: 3, events: [] }, { id: 'm2' }, { id: 'm1', events: [] }] }, kept],
] as const) {
  Memory(name, () => assert.equal(restoreMemory(value), expected));
}
Memory.run();
