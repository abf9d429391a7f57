// OperationBook.lastAt: by device position, it answers what last() answers by id, skipping the
// look-up only at positions devicesWithOperations leaves at 0 (a device with no operation).
// Table: operations × device positions → the record lastAt finds, located or not.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { SoftwareType } from '../../controller/model/fleet.ts';
import type { OperationRecord } from '../../controller/model/plan.ts';
import { devicesWithOperations } from '../../controller/plan/collect-entries.ts';
import { OperationBook } from '../../controller/plan/operation-book.ts';
import { DeviceIndex } from '../../controller/policy/device-index.ts';
import { at, device, hour, op } from './fixtures.ts';

const now = at('2026-11-21T12:00:00Z');
const devices = ['d0', 'd1', 'd2', 'd3'].map((id) => device(id));
const index = new DeviceIndex(devices);

interface Row {
  readonly name: string;
  readonly operations: OperationRecord[];
  /** Per position: the version of the firmware record lastAt finds (undefined: none). */
  readonly firmware: (string | undefined)[];
}

const rows: Row[] = [
  { name: 'no operations', operations: [], firmware: [undefined, undefined, undefined, undefined] },
  {
    name: 'one device, the later record wins',
    operations: [op('d1', 'firmware', '1.0', { startedAt: now - 3 * hour, endedAt: now - 2 * hour }), op('d1', 'firmware', '1.1', { startedAt: now - hour, endedAt: now })],
    firmware: [undefined, '1.1', undefined, undefined],
  },
  {
    name: 'other types and unknown devices do not count',
    operations: [op('d0', 'teamsClient', '2.0'), op('d3', 'firmware', '3.0'), op('ghost', 'firmware', '9.9')],
    firmware: [undefined, undefined, undefined, '3.0'],
  },
  { name: 'an operation of no type marks the device, finds no record', operations: [op('d2', undefined, undefined, { active: true })], firmware: [undefined, undefined, undefined, undefined] },
];

for (const r of rows) {
  test(`lastAt: ${r.name}`, () => {
    const located = new OperationBook(r.operations);
    located.locate(devicesWithOperations(r.operations, index));
    const plain = new OperationBook(r.operations);
    for (let i = 0; i < devices.length; i++) {
      const id = devices[i]!.id;
      for (const type of ['firmware', 'teamsClient'] as SoftwareType[]) {
        assert.is(located.lastAt(i, id, type), plain.last(id, type), `${id} ${type}`);
        assert.is(plain.lastAt(i, id, type), plain.last(id, type), `${id} ${type} (not located)`);
      }
      assert.is(located.lastAt(i, id, 'firmware')?.version, r.firmware[i], id);
    }
  });
}

test('lastAt trusts the positions it is given: a position at 0 finds nothing', () => {
  const operations = [op('d1', 'firmware', '1.1')];
  const book = new OperationBook(operations);
  book.locate(new Uint8Array(devices.length));
  assert.is(book.lastAt(1, 'd1', 'firmware'), undefined);
  assert.is(book.last('d1', 'firmware')?.version, '1.1');
});

test.run();
