import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Device } from '../../controller/model/fleet.ts';
import type { DeviceGroup, ScheduledUpdate, UpdatePolicy } from '../../controller/model/manifests.generated.ts';
import type { Plan, OperationRecord } from '../../controller/model/plan.ts';
import type { PlanInput } from '../../controller/plan/build-plan.ts';
import { listScope, slotsLeft, type ListScope } from '../../controller/plan/why-scope.ts';

const device: Device = {
  id: 'd-1', deviceType: 'teamsRoom', manufacturer: 'logitech', model: 'Tap', serialNumber: 'SN-1', uniqueId: 'u-1',
  macAddresses: [], companyAssetTag: null, notes: 'Room 1 #site-paris', healthStatus: 'healthy', currentUserId: null, createdDateTime: null,
};

const group = (name: string, spec: Partial<DeviceGroup['spec']>): DeviceGroup => ({ apiVersion: 'firmwarden.dev/v1alpha1', kind: 'DeviceGroup', metadata: { name }, spec: { ...spec } } as DeviceGroup);
const policy = (name: string): UpdatePolicy => ({ apiVersion: 'firmwarden.dev/v1alpha1', kind: 'UpdatePolicy', metadata: { name }, spec: {} } as UpdatePolicy);
const su = (name: string, targets: ScheduledUpdate['spec']['targets']): ScheduledUpdate => ({ apiVersion: 'firmwarden.dev/v1alpha1', kind: 'ScheduledUpdate', metadata: { name }, spec: { targets, software: [{ type: 'teamsClient', version: 'latest' }] } } as ScheduledUpdate);

const rooms = group('rooms', { policyRef: { name: 'p' }, selector: { deviceTypes: ['teamsRoom', 'collaborationBar'] } });
const phones = group('phones', { policyRef: { name: 'p' }, selector: { deviceTypes: ['ipPhone'] } });
const paris = group('paris', { policyRef: { name: 'q' }, selector: { tags: ['site-paris'] } });

const Scope = suite('listScope: what why lists to place one device');

const cases: [string, { groups?: DeviceGroup[]; policies?: UpdatePolicy[]; scheduledUpdates?: ScheduledUpdate[] }, ListScope][] = [
  ['no group and no ScheduledUpdate wants it: nothing to list', { groups: [group('nyc', { selector: { tags: ['site-nyc'] } })] }, { kind: 'none' }],
  ['a group by tags: the whole list (tags cannot be filtered on)', { groups: [paris], policies: [policy('q')] }, { kind: 'all' }],
  ['a group by device types: those types', { groups: [rooms], policies: [policy('p')] }, { kind: 'types', types: ['collaborationBar', 'teamsRoom'] }],
  ['every group of its policy by type: all their types (they share maxConcurrent)', { groups: [rooms, phones], policies: [policy('p')] }, { kind: 'types', types: ['collaborationBar', 'ipPhone', 'teamsRoom'] }],
  ['a group of the same policy by tags: the whole list', { groups: [rooms, group('paris', { policyRef: { name: 'p' }, selector: { tags: ['site-nyc'] } })], policies: [policy('p')] }, { kind: 'all' }],
  ['a policy that does not exist: the group alone', { groups: [rooms, group('x', { policyRef: { name: 'p' }, selector: { tags: ['site-nyc'] } })] }, { kind: 'types', types: ['collaborationBar', 'teamsRoom'] }],
  ['a group that includes devices by name: the whole list', { groups: [group('rooms', { selector: { deviceTypes: ['teamsRoom'] }, include: ['other'] })] }, { kind: 'all' }],
  ['a name that is this device\'s serial (another device may carry it): the whole list', { groups: [rooms, group('nyc', { exclude: ['sn-1'], selector: { tags: ['site-nyc'] } })], policies: [policy('p')] }, { kind: 'all' }],
  ['included by its id: the whole list (the group names devices)', { groups: [group('rooms', { selector: { deviceTypes: ['teamsRoom'] } }), group('vip', { include: ['D-1'], priority: 1, selector: { deviceTypes: ['surfaceHub'] } })] }, { kind: 'all' }],
  ['a ScheduledUpdate naming devices: the whole list', { groups: [rooms], policies: [policy('p')], scheduledUpdates: [su('s', { deviceIds: ['d-9'] })] }, { kind: 'all' }],
  ['a ScheduledUpdate selecting it by tags: the whole list', { groups: [rooms], policies: [policy('p')], scheduledUpdates: [su('s', { selector: { tags: ['site-paris'] } })] }, { kind: 'all' }],
  ['a ScheduledUpdate selecting it by type: that type too', { groups: [rooms], policies: [policy('p')], scheduledUpdates: [su('s', { selector: { deviceTypes: ['teamsRoom', 'surfaceHub'] } })] }, { kind: 'types', types: ['collaborationBar', 'surfaceHub', 'teamsRoom'] }],
  ['in no group, selected by a ScheduledUpdate by type: that type', { scheduledUpdates: [su('s', { selector: { deviceTypes: ['teamsRoom'] } })] }, { kind: 'types', types: ['teamsRoom'] }],
  ['a group selecting the unknown type: the whole list', { groups: [group('odd', { selector: { deviceTypes: ['unknown', 'teamsRoom'] } })] }, { kind: 'all' }],
];
for (const [name, manifests, expected] of cases) {
  Scope(name, () => {
    assert.equal(listScope(device, { groups: manifests.groups ?? [], policies: manifests.policies ?? [], scheduledUpdates: manifests.scheduledUpdates ?? [] }), expected);
  });
}

Scope.run();

const Slots = suite('slotsLeft: how many devices ahead why reads at a time for a slot');

/**
 * A plan of one group under the policy p (one wave): the device `me` pending in wave 2 (so every
 * other device is ahead of it), or only for a ScheduledUpdate (rank 0: every other device is
 * behind it); `starting` in the plan's actions, `busy` with an operation.
 */
function slotCase(maxConcurrent: number | undefined, others: string[], starting: string[], busy: string[], scheduledOnly = false): { input: PlanInput; plan: Plan } {
  const ids = ['me', ...others];
  const pol = { ...policy('p'), spec: { rollout: { waves: [], ...(maxConcurrent === undefined ? {} : { maxConcurrent }) } } } as UpdatePolicy;
  const entry = (id: string) => ({ softwareType: 'teamsClient', state: 'pending', scheduledUpdate: id === 'me' && scheduledOnly ? 'default/s' : undefined, reason: { code: 'Starting', message: '' } });
  const devices = ids.map((id) => ({ deviceId: id, group: 'default/g', policy: 'default/p', wave: id === 'me' ? 2 : 1, entries: [entry(id)] }));
  const op = (id: string): OperationRecord => ({ deviceId: id, softwareType: undefined, version: undefined, owner: undefined, operationId: 'op', active: true, outcome: undefined, startedAt: 0, endedAt: undefined, errorCode: undefined, errorMessage: undefined });
  const plan = { devices, groups: [{ key: 'default/g', policy: 'default/p', deviceIds: ids }], actions: starting.map((id) => ({ deviceId: id, policy: 'default/p' })), scheduledUpdates: [] } as unknown as Plan;
  const input = { policies: [pol], operations: busy.map(op), devices: ids.map((id) => ({ ...device, id, healthStatus: 'healthy' })) } as unknown as PlanInput;
  return { input, plan };
}

const slotCases: [string, ReturnType<typeof slotCase>, number][] = [
  ['nothing holds a slot: the limit', slotCase(4, ['a', 'b'], [], []), 4],
  ['two ahead starting and one busy: one left', slotCase(4, ['a', 'b', 'c'], ['a', 'b'], ['c']), 1],
  ['the device itself starting does not count', slotCase(4, ['a'], ['me'], []), 4],
  ['devices starting behind it (it waits for a ScheduledUpdate only) take no slot from it', slotCase(4, ['a', 'b'], ['a', 'b'], [], true), 4],
  ['busy devices hold a slot wherever they rank', slotCase(4, ['a', 'b'], [], ['a', 'b'], true), 2],
  ['more busy than the limit: still one at a time', slotCase(2, ['a', 'b', 'c'], [], ['a', 'b', 'c']), 1],
  ['no maxConcurrent written: the default, 50', slotCase(undefined, ['a'], ['a'], []), 49],
];
for (const [name, { input, plan }, expected] of slotCases) {
  Slots(name, () => {
    assert.is(slotsLeft(input, plan, 'me'), expected);
  });
}

Slots.run();
