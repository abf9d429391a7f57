// Devices that report the same thing share one copy of it (issue 17.3: the controller's heap at
// 10k devices held a software-state object per device and type, and a copy of every version
// string per device). Sharing must never merge values that differ.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Interner, internString } from '../../../controller/fleet/graph/intern.ts';
import { parseDevice } from '../../../controller/fleet/graph/parse-device.ts';
import { parseSoftware } from '../../../controller/fleet/graph/parse-software.ts';

const test = suite('intern');

// JSON.parse, as the HTTP client does: each document gets its own string copies.
const health = (firmware: string, available: string | null, freshness = 'updateAvailable', camera = 'connected') =>
  JSON.parse(JSON.stringify({
    connection: { connectionStatus: 'connected' },
    peripheralsHealth: { roomCameraHealth: { connection: { connectionStatus: camera } } },
    softwareUpdateHealth: {
      firmwareSoftwareUpdateStatus: { currentVersion: firmware, availableVersion: available, softwareFreshness: freshness },
      teamsClientSoftwareUpdateStatus: { currentVersion: '1449/1.0.97.2026101304', availableVersion: null, softwareFreshness: 'latest' },
    },
  })) as unknown;

function software(id: string, body: unknown) {
  const parsed = parseSoftware(id, body);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.value;
}

test('two devices on the same software share its state objects and their health summary', () => {
  const a = software('a', health('8.19.7.921', '8.19.8.100'));
  const b = software('b', health('8.19.7.921', '8.19.8.100'));
  assert.is(a.software.firmware, b.software.firmware);
  assert.is(a.software.teamsClient, b.software.teamsClient);
  assert.is(a.health, b.health);
  // Each device keeps its own record (its id), only the repeated parts are shared.
  assert.is.not(a, b);
  assert.is(b.deviceId, 'b');
});

const differing: [string, unknown, unknown][] = [
  ['current version', health('8.19.7.921', '8.19.8.100'), health('8.19.7.92', '8.19.8.100')],
  ['available version', health('8.19.7.921', '8.19.8.100'), health('8.19.7.921', null)],
  ['freshness', health('8.19.7.921', '8.19.8.100'), health('8.19.7.921', '8.19.8.100', 'latest')],
  // A separator-joined key would make these two the same: "1|2" + "3" vs "1" + "2|3".
  ['versions holding the separator', health('1|2', '3'), health('1', '2|3')],
  ['versions holding quotes and commas', health('1","2', '3'), health('1', '2","3')],
];
for (const [what, first, second] of differing) {
  test(`a different ${what} is a different state`, () => {
    const a = software('a', first).software.firmware!;
    const b = software('b', second).software.firmware!;
    assert.is.not(a, b);
    assert.is.not(JSON.stringify(a), JSON.stringify(b));
  });
}

test('a different health word is a different summary; equal ones are equal in value', () => {
  const up = software('a', health('1', null)).health;
  const down = software('b', health('1', null, 'latest', 'disconnected')).health;
  assert.is.not(up, down);
  assert.equal(up, { online: 'ok', roomCamera: 'ok' });
  assert.equal(down, { online: 'ok', roomCamera: 'down' });
});

test('listed devices share model and manufacturer strings, not the rest', () => {
  const listed = JSON.parse(JSON.stringify([1, 2].map((n) => ({
    id: `dev-${n}`, deviceType: 'teamsRoom', hardwareDetail: { manufacturer: 'Yealink', model: 'MeetingBar A30', serialNumber: `SN${n}`, uniqueId: `U${n}` },
  })))) as unknown[];
  const [a, b] = listed.map((raw) => {
    const parsed = parseDevice(raw);
    if (!parsed.ok) throw new Error(parsed.problem);
    return parsed.value;
  });
  assert.is(a!.model, internString('MeetingBar A30'));
  assert.is(b!.model, a!.model);
  assert.is(b!.manufacturer, 'Yealink');
  assert.is(a!.serialNumber, 'SN1');
  assert.is(b!.serialNumber, 'SN2');
});

test('the interner keeps the first value per key and starts over at its limit', () => {
  const interner = new Interner<{ n: number }>(3);
  const one = interner.get('1', () => ({ n: 1 }));
  assert.is(interner.get('1', () => ({ n: 99 })), one);
  interner.get('2', () => ({ n: 2 }));
  interner.get('3', () => ({ n: 3 }));
  assert.is(interner.size, 3);
  // The fourth key clears the table: bounded, and sharing restarts from there.
  interner.get('4', () => ({ n: 4 }));
  assert.is(interner.size, 1);
  assert.equal(interner.get('1', () => ({ n: 11 })), { n: 11 });
});

test.run();
