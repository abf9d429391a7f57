// Issue 16 end to end: requests granted in one window but held before they go (here a token
// that comes 800 ms late for the first window's requests) must not reach the server in the
// same second as the next window's. The real emulator on loopback with its token bucket at
// the tenant's limit; every Graph request's arrival is the moment its limiter reads the time.
// Real time throughout (the emulator limits in real time): about 3.5 s.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { systemClock } from '../../../controller/model/clock.ts';
import { silentLogger } from '../../../controller/log/logger.ts';
import { startEmulator } from '../../../controller/fleet/emulator/server.ts';
import { GraphHttp } from '../../../controller/fleet/graph/graph-http.ts';
import { Pacer } from '../../../controller/fleet/graph/pacer.ts';
import type { TokenSource } from '../../../controller/fleet/graph/token-source.ts';
import { getToken } from '../emulator/emulator-client.ts';

const test = suite('Pacing against the emulator: arrivals within the limit');

const limit = 10;

/** Most arrivals within any 1000 ms (half-open). */
function mostInASecond(arrivals: readonly number[]): number {
  const sorted = [...arrivals].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

test('the first window\'s requests held 800 ms before they go: never more than the limit in a second, no 429', async () => {
  const arrivals: number[] = [];
  const emulator = await startEmulator({
    devices: 5,
    rateLimit: limit,
    realTime: () => {
      const now = performance.now();
      arrivals.push(now);
      return now;
    },
  });
  try {
    const token = await getToken(emulator);
    let calls = 0;
    // The first window's requests get their token 800 ms after their grant; later ones at once.
    const tokens: TokenSource = {
      getToken: async () => {
        if (calls++ < limit) await new Promise((resolve) => setTimeout(resolve, 800));
        return token;
      },
      invalidate: () => undefined,
    };
    const http = new GraphHttp({
      baseUrl: emulator.graphBaseUrl,
      tokens,
      clock: systemClock,
      logger: silentLogger(),
      // A wider margin than the default 50 ms: the emulator shares this loaded event loop, so its
      // own delay before it reads the time must not count as the client's doing.
      pacer: new Pacer(systemClock, { ratePerSecond: limit, marginMs: 250 }),
      maxAttempts: 1,
      timeoutMs: 10_000,
    });
    const device = emulator.control.devices({ limit: 1 })[0]!.id;
    const results = await Promise.allSettled(Array.from({ length: 3 * limit }, () => http.send({ method: 'GET', url: `/teamwork/devices/${device}`, idempotent: true, what: 'read device' })));
    const stats = emulator.control.stats();
    assert.is(arrivals.length, 3 * limit, 'every request reached the limiter once');
    assert.is(stats.throttled, 0, 'the emulator answered 429');
    assert.ok(mostInASecond(arrivals) <= limit, `${mostInASecond(arrivals)} requests reached the emulator within one second (limit ${limit})`);
    assert.ok(results.every((r) => r.status === 'fulfilled'));
  } finally {
    await emulator.close();
  }
});

test.run();
