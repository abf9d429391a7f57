// The gate of sharding in startOperations, against the emulator over loopback: once mayStart()
// says no, nothing more is posted, checked right before the intent and again right before the
// POST; an intent saved when the gate closed is taken back (nothing was posted).
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

// Gate calls per request: at the top of the loop, before the intent, before the POST.
const rows = [
  { name: 'a gate closed from the start posts nothing and saves nothing', openCalls: 0, posted: 0, entries: 0 },
  { name: 'closed after the first request is posted: the second is not', openCalls: 3, posted: 1, entries: 1 },
  { name: 'closed while the device\'s operations were read: no intent, no POST', openCalls: 4, posted: 1, entries: 1 },
  { name: 'closed right after the intent was saved: the intent is taken back, nothing posted', openCalls: 5, posted: 1, entries: 1 },
  { name: 'open all along: both posted', openCalls: 99, posted: 2, entries: 2 },
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
      const outcomes = await startOperations(requests, { fleet: conn.fleet, ledger, now: () => clock.now(), logger, mayStart: () => ++calls <= row.openCalls });
      const posts = conn.emulator!.control.actionLog({ action: 'updateSoftware' });
      assert.is(posts.length, row.posted, 'POSTs');
      assert.is(outcomes.filter((o) => o.result === 'started').length, row.posted);
      assert.is(ledger.entries().length, row.entries, 'ledger entries');
      assert.ok(ledger.entries().every((e) => e.operationId !== undefined), 'no intent left without its POST');
    } finally {
      await conn.close();
    }
  });
}

test.run();
