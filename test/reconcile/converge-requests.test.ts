// Requests a rollout costs, through the whole reconcile against the emulator over loopback HTTP
// on a manual clock (issue 17): one policy wants firmware and the Teams app at the newest
// version on every device at once. The Graph requests the emulator counted must stay within what
// the safety rules need: the device list, one health read per device, per update the read of
// the device's operations before its POST and the POST, and per updated device the read that
// sees its last update end and the health read that sees the new version. A device's second
// update is not preceded by a health read, and the read that saw its first update end is the
// read before the second. Before, every update also cost a read of the accepted operation, a
// second operations read and a health read.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rm } from 'node:fs/promises';
import { MemoryStateStore } from '../../controller/state/memory-state-store.ts';
import { pendingUpdates as behind } from '../../bench/support/converge-fleet.ts';
import { convergeReconciler, minute, openConvergeFleet } from '../support/converge-reconcile.ts';

test('a rollout to every device costs the safety rules\' requests and no more, each update posted once', async () => {
  const fleet = await openConvergeFleet(80, 11, 'fw-converge-requests-');
  const { clock, conn, control, dir } = fleet;
  try {
    const all = control.devices({ limit: 80 });
    const targets = behind(all);
    const updatedDevices = new Set(targets.map((t) => t.deviceId)).size;
    assert.ok(targets.length > updatedDevices, 'some devices need both updates (the case that matters)');
    const reconcile = convergeReconciler(fleet, new MemoryStateStore());
    const before = control.stats().graphRequests;
    const signal = new AbortController().signal;
    for (let n = 1; n <= 12; n++) {
      const outcome = await reconcile({ reconcileId: n, signal });
      clock.set(Math.max(clock.now() + minute, outcome.kind === 'waiting' ? Math.min(outcome.until, clock.now() + 60 * minute) : clock.now() + 60 * minute));
    }
    assert.equal(behind(control.devices({ limit: 80 })), [], 'converged');
    const posts = control.actionLog({ action: 'updateSoftware' });
    assert.is(posts.length, targets.length, 'one POST per update behind');
    assert.is(new Set(posts.map((p) => `${p.deviceId}|${p.softwareType}`)).size, targets.length, 'never twice for the same update');
    const listPages = Math.ceil(all.length / 50);
    const allowed = listPages + all.length + 2 * targets.length + 2 * updatedDevices;
    const sent = control.stats().graphRequests - before;
    assert.ok(sent <= allowed, `${sent} Graph requests for ${all.length} devices and ${targets.length} updates on ${updatedDevices} devices; the safety rules need ${allowed}`);
  } finally {
    await conn.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
