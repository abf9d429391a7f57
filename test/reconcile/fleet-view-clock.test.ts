// The fleet picture when the clock is stepped back (NTP, a VM restored): the times its reads
// were made now lie in the future, and an age measured from them would keep the picture from
// being refreshed for as long as the step. Real Graph adapter, emulator over loopback.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../controller/model/clock.ts';
import { silentLogger } from '../../controller/log/logger.ts';
import { parseFleetOptions } from '../../controller/config/fleet-options.ts';
import { createFleet } from '../../controller/config/fleet-connection.ts';
import { FleetView } from '../../controller/reconcile/fleet-view.ts';

const minute = 60_000;
const day = 86_400_000;
const view = suite('FleetView and a clock stepped back');

view('a clock stepped back a day re-lists and re-reads at the next step instead of a day later', async () => {
  const clock = new ManualClock(Date.parse('2026-03-02T10:00:00Z'));
  const { options } = parseFleetOptions(['--emulator', '--fleet-rate', '1000'], {});
  const connection = await createFleet(options, { logger: silentLogger(), clock, emulator: { devices: 8, rateLimit: 0 } });
  try {
    const fleetView = new FleetView(connection.fleet, { clock, logger: silentLogger() }, { listIntervalMs: 10 * minute, maxAgeMs: 15 * minute, chunk: 100 });
    await fleetView.refreshAll();
    const firstList = fleetView.snapshot().listedAt;
    clock.advance(5 * minute);
    assert.is(await fleetView.refreshStep(), 0, 'nothing is due five minutes later');
    clock.advance(-day);
    clock.advance(16 * minute);
    assert.is(await fleetView.refreshStep(), 8, 'every device read in the future is read again');
    const snapshot = fleetView.snapshot();
    assert.ok(snapshot.listedAt < firstList, 're-listed at the stepped-back time');
    assert.ok([...snapshot.readAt.values()].every((t) => t === clock.now()));
    clock.advance(5 * minute);
    assert.is(await fleetView.refreshStep(), 0, 'and then ages normally');
  } finally {
    await connection.close();
  }
});

view.run();
