// Progress of long fleet reads: the caller hears of every page listed and every device read,
// over the whole refresh; the log gets a line every few seconds (of injected time) with the
// rate and what is left. Real Graph adapter, emulator over loopback.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../controller/model/clock.ts';
import { createLogger } from '../../controller/log/logger.ts';
import { parseFleetOptions } from '../../controller/config/fleet-options.ts';
import { createFleet, type FleetConnection } from '../../controller/config/fleet-connection.ts';
import { FleetView, progressRate, type FleetReadProgress } from '../../controller/reconcile/fleet-view.ts';

const progress = suite('FleetView progress');

async function withFleet(devices: number, run: (connection: FleetConnection, clock: ManualClock) => Promise<void>): Promise<void> {
  const clock = new ManualClock(Date.parse('2026-03-02T10:00:00Z'));
  const { options } = parseFleetOptions(['--emulator', '--fleet-rate', '1000'], {});
  const connection = await createFleet(options, { logger: createLogger({ level: 'silent' }), clock, emulator: { devices, rateLimit: 0 } });
  try {
    await run(connection, clock);
  } finally {
    await connection.close();
  }
}

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) } });
  return { logger, lines };
}

progress('refreshAll counts every device over all its steps, and logs the rate and time left every 5 s', async () => {
  await withFleet(130, async (connection, clock) => {
    const { logger, lines } = capturingLogger();
    // 250 ms of injected time per device read: a log line every 20 devices.
    let t = 0;
    const view = new FleetView(connection.fleet, { clock, logger, elapsed: () => t }, { chunk: 50 });
    const seen: FleetReadProgress[] = [];
    await view.refreshAll(undefined, (p) => {
      seen.push(p);
      if (p.phase === 'read') t += 250;
    });
    const listed = seen.filter((p) => p.phase === 'list');
    const reads = seen.filter((p) => p.phase === 'read');
    assert.ok(listed.length >= 3, 'a report per page of 50');
    assert.is(listed.at(-1)?.phase === 'list' && listed.at(-1)!.listed, 130);
    assert.equal(reads.map((p) => p.read), Array.from({ length: 130 }, (_, i) => i + 1), 'one report per device, across the three steps');
    assert.ok(reads.every((p) => p.total === 130), 'the total is the whole fleet, not a step');
    const logged = lines.filter((l) => l['msg'] === 'reading device software');
    assert.is(logged.length, 6, '130 devices × 250 ms = 32.5 s: a line every 5 s');
    const first = logged[0]!;
    assert.is(first['total'], 130);
    assert.is(typeof first['read'], 'number');
    // Device r is reported after (r - 1) × 250 ms: about 4 a second, one decimal in the log.
    const r = first['read'] as number;
    const rate = r / ((r - 1) / 4);
    assert.is(first['perSecond'], Math.round(rate * 10) / 10);
    assert.is(first['etaSeconds'], Math.round(((130 - r) / rate) * 10) / 10);
  });
});

progress('refreshStep reports the step alone; nothing is logged under 5 s', async () => {
  await withFleet(40, async (connection, clock) => {
    const { logger, lines } = capturingLogger();
    const view = new FleetView(connection.fleet, { clock, logger, elapsed: () => 0 }, { chunk: 25 });
    const reads: number[][] = [];
    await view.refreshStep(undefined, (p) => p.phase === 'read' && reads.push([p.read, p.total]));
    assert.equal(reads.at(-1), [25, 25]);
    assert.is(lines.filter((l) => l['msg'] === 'reading device software').length, 0);
  });
});

progress('progressRate: rate and time left, nothing before the first read', () => {
  assert.equal(progressRate(0, 100, 0), { perSecond: undefined, etaSeconds: undefined });
  assert.equal(progressRate(30, 90, 1000), { perSecond: 30, etaSeconds: 2 });
  assert.equal(progressRate(90, 90, 3000), { perSecond: 30, etaSeconds: 0 });
});

progress.run();
