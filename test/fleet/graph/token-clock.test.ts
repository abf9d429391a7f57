// The token cache when the machine's clock is stepped (NTP, a VM resumed): a token is never
// held past its real lifetime, and a jump forward renews it instead of failing. Two injected
// clocks: the wall clock the cache is given, and the elapsed time the machine really lived.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../controller/model/clock.ts';
import { CachedTokenSource } from '../../../controller/fleet/graph/token-source.ts';
import { parseFleetOptions } from '../../../controller/config/fleet-options.ts';
import { createFleet } from '../../../controller/config/fleet-connection.ts';
import { silentLogger } from '../../../controller/log/logger.ts';

const minute = 60_000;
const jumps = suite('CachedTokenSource and clock jumps');

/** A cache over a counting fetcher of one-hour tokens; `live` moves both clocks, `step` only the wall clock. */
function setup() {
  const wall = new ManualClock(Date.parse('2026-03-02T10:00:00Z'));
  const real = new ManualClock(0);
  const calls: boolean[] = [];
  const source = new CachedTokenSource(async ({ fresh }) => {
    calls.push(fresh);
    return { token: `t${calls.length}`, expiresInMs: 60 * minute };
  }, wall, () => real.now());
  const live = (ms: number) => {
    wall.advance(ms);
    real.advance(ms);
  };
  const step = (ms: number) => wall.advance(ms);
  return { source, calls, live, step };
}

jumps('a wall clock stepped back an hour does not keep a token past its real renewal time', async () => {
  const { source, calls, live, step } = setup();
  assert.is(await source.getToken(), 't1');
  live(50 * minute);
  step(-60 * minute);
  assert.is(await source.getToken(), 't1', 'still inside its real life');
  live(6 * minute); // 56 real minutes: past the 55-minute renewal, though the wall clock says 56 - 60
  assert.is(await source.getToken(), 't2');
  // The wall clock is not to be trusted about the old token: bypass any cache below (MSAL's reads the same clock).
  assert.equal(calls, [false, true]);
});

jumps('a wall clock stepped back before the fetch renews on real time, not on the wall clock', async () => {
  const { source, live, step } = setup();
  await source.getToken();
  step(-3 * 60 * minute);
  live(54 * minute);
  assert.is(await source.getToken(), 't1');
  live(1 * minute);
  assert.is(await source.getToken(), 't2');
});

jumps('a wall clock stepped forward two hours renews the token at the next call (a renewal, not a failure)', async () => {
  const { source, calls, step } = setup();
  await source.getToken();
  step(2 * 60 * minute);
  assert.is(await source.getToken(), 't2');
  assert.equal(calls, [false, false]);
  // The new token lives from the jumped time on: no renewal storm afterwards.
  assert.is(await source.getToken(), 't2');
});

jumps('a fast domain clock (the demo) still renews on its own time', async () => {
  const { source, step } = setup();
  await source.getToken();
  step(56 * minute); // the domain clock ran 56 minutes in what was a few real seconds
  assert.is(await source.getToken(), 't2');
});

jumps.run();

const live = suite('clock stepped forward, against the emulator');

live('a clock stepped forward two hours: the next listing signs in again first, no request is refused', async () => {
  const clock = new ManualClock(Date.parse('2026-03-02T10:00:00Z'));
  const { options } = parseFleetOptions(['--emulator', '--fleet-rate', '1000'], {});
  const connection = await createFleet(options, { logger: silentLogger(), clock, emulator: { devices: 5, rateLimit: 0 } });
  try {
    assert.is((await connection.fleet.listDevices()).length, 5);
    clock.advance(2 * 60 * minute);
    assert.is((await connection.fleet.listDevices()).length, 5);
    const stats = connection.emulator!.control.stats();
    assert.is(stats.tokenRequests, 2);
    assert.is(stats.byStatus['401'] ?? 0, 0, 'the expired token was never sent');
  } finally {
    await connection.close();
  }
});

live.run();
