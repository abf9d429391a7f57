// The fleet report's forecast in a real worker thread: none until the first lands (and the
// controller is told), then the same events a forecast in this thread gives; a stale one is
// still drawn while the next is simulated.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { silentLogger } from '../../controller/log/logger.ts';
import { buildPlan, type PlanInput } from '../../controller/plan/build-plan.ts';
import { runReportForecast } from '../../controller/run/report-forecast-worker.ts';
import { ReportForecasts } from '../../controller/run/report-forecast.ts';
import { at, day, device, group, policy, release, software } from '../plan/fixtures.ts';

const now = at('2026-11-21T11:00:00Z');
const devices = Array.from({ length: 8 }, (_, i) => device(`d${i}`, { tags: ['paris'] }));
const input: PlanInput = {
  now,
  groups: [group('paris', { policyRef: { name: 'p' }, selector: { tags: ['paris'] }, timeZone: 'Europe/Paris' })],
  policies: [policy('p', { software: { firmware: { phase: 'Test' } }, rollout: { waves: [{ percent: 25 }], bakeTime: '24h', maxConcurrent: 2 } })],
  scheduledUpdates: [],
  devices,
  software: new Map(devices.map((d) => [d.id, software(d.id, { firmware: ['1.0', '1.1'] })])),
  operations: [],
  releases: [release('Bar', 'firmware', '1.1', now - 3 * day)],
};

test('simulated off the thread: missing at first, then the same events as in this thread; a stale one is drawn while the next runs', async () => {
  let ready = 0;
  let resolveReady: () => void = () => {};
  const forecasts = new ReportForecasts({ logger: silentLogger(), onReady: () => { ready++; resolveReady(); } });
  try {
    assert.ok(buildPlan(input).devices.length === 8);
    const first = forecasts.forecaster({ now, planInput: input, specKey: 'a' });
    assert.ok('missing' in first);
    await new Promise<void>((r) => (resolveReady = r));
    assert.is(ready, 1);
    const got = forecasts.forecaster({ now: now + 60_000, planInput: input, specKey: 'a' });
    assert.ok('forecast' in got);
    const expected = runReportForecast({ input, days: 30, maxSteps: 300 });
    assert.equal(JSON.parse(JSON.stringify((got as { forecast: unknown }).forecast)), JSON.parse(JSON.stringify(expected)));
    assert.ok(expected.events.length > 0);
    // Two hours later: the previous one is drawn, a new one is simulated.
    const later = forecasts.forecaster({ now: now + 2 * 3_600_000, planInput: { ...input, now: now + 2 * 3_600_000 }, specKey: 'a' });
    assert.ok('forecast' in later);
    await new Promise<void>((r) => (resolveReady = r));
    assert.is(ready, 2);
  } finally {
    await forecasts.close();
  }
});

test.run();
