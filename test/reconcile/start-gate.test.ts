// The gate of sharding in startOperations, against the emulator over loopback: once mayStart()
// says no, nothing more is posted. It is checked before each chunk of starts, right before the
// chunk's intents and again right before its POSTs; intents saved when the gate closed are taken
// back (nothing was posted). With chunks of one, that is three checks per device as before.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../controller/model/clock.ts';
import { silentLogger } from '../../controller/log/logger.ts';
import { parseFleetOptions } from '../../controller/config/fleet-options.ts';
import { createFleet } from '../../controller/config/fleet-connection.ts';
import { startOperations } from '../../controller/reconcile/operations.ts';
import type { StartRequest } from '../../controller/model/engine.ts';
import type { LedgerPort } from '../../controller/reconcile/ledger-entries.ts';
import type { LedgerEntry } from '../../controller/model/state.ts';

const logger = silentLogger();

function memoryLedger(): LedgerPort & { commits: number } {
  let entries: readonly LedgerEntry[] = [];
  const port = { commits: 0, entries: () => entries, commit: async (next: readonly LedgerEntry[]) => { entries = next; port.commits++; } };
  return port;
}

// Gate calls per chunk: at the top of the chunk, before its intents, before its POSTs.
const rows = [
  { name: 'a gate closed from the start posts nothing and saves nothing', chunkSize: 1, openCalls: 0, posted: 0, entries: 0, calls: 1 },
  { name: 'closed after the first request is posted: the second is not', chunkSize: 1, openCalls: 3, posted: 1, entries: 1, calls: 4 },
  { name: 'closed while the device\'s operations were read: no intent, no POST', chunkSize: 1, openCalls: 4, posted: 1, entries: 1, calls: 5 },
  { name: 'closed right after the intent was saved: the intent is taken back, nothing posted', chunkSize: 1, openCalls: 5, posted: 1, entries: 1, calls: 6 },
  { name: 'open all along: both posted', chunkSize: 1, openCalls: 99, posted: 2, entries: 2, calls: 6 },
  { name: 'one chunk, closed while its operations were read: no intent, no POST', chunkSize: 20, openCalls: 1, posted: 0, entries: 0, calls: 2 },
  { name: 'one chunk, closed right after its intents were saved: all taken back, nothing posted', chunkSize: 20, openCalls: 2, posted: 0, entries: 0, calls: 3 },
  { name: 'one chunk open all along: both posted after three checks for the chunk, not per device', chunkSize: 20, openCalls: 99, posted: 2, entries: 2, calls: 3 },
];

for (const row of rows) {
  test(row.name, async () => {
    const clock = new ManualClock(Date.parse('2027-01-11T00:00:00Z'));
    const { options } = parseFleetOptions(['--emulator', '--fleet-rate', '10000'], {});
    const conn = await createFleet(options, { logger, clock, emulator: { devices: 60, seed: 7, rateLimit: 0, failureRate: 0, durationJitter: 0 } });
    try {
      const devices = conn.emulator!.control.devices({ limit: 60 }).filter((d) => !d.unknownFirmware && d.software.firmware?.availableVersion).slice(0, 2);
      assert.is(devices.length, 2);
      const requests: StartRequest[] = devices.map((d) => ({ deviceId: d.id, softwareType: 'firmware', version: d.software.firmware!.availableVersion!, owner: 'contoso/UpdatePolicy/general', currentVersion: d.software.firmware!.currentVersion }));
      const ledger = memoryLedger();
      let calls = 0;
      const outcomes = await startOperations(requests, { fleet: conn.fleet, ledger, now: () => clock.now(), logger, chunkSize: row.chunkSize, mayStart: () => ++calls <= row.openCalls });
      const posts = conn.emulator!.control.actionLog({ action: 'updateSoftware' });
      assert.is(posts.length, row.posted, 'POSTs');
      assert.is(outcomes.filter((o) => o.result === 'started').length, row.posted);
      assert.is(ledger.entries().length, row.entries, 'ledger entries');
      assert.ok(ledger.entries().every((e) => e.operationId !== undefined), 'no intent left without its POST');
      assert.is(calls, row.calls, 'gate checks');
    } finally {
      await conn.close();
    }
  });
}

test.run();
