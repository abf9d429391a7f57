// How much the emulator itself costs: start-up and memory with 100,000 devices, and how fast
// it serves (rate limit off) device pages, health reads and $batch health reads over loopback —
// so benchmarks of clients can tell the emulator is not their bottleneck.
// Usage: node bench/emulator.bench.ts [--devices N]   (default 100,000; takes ~15 s)
import { startEmulator } from '../controller/fleet/emulator/server.ts';
import { inProcessPeakRssMb } from './support/measure.ts';
import { parseOptions } from './support/options.ts';
import { BenchError, Report, runBench } from './support/report.ts';

await runBench('emulator', async () => {
  const options = parseOptions('emulator.bench.ts', { devices: { kind: 'count', default: 100_000, help: 'generated devices' } });
  const devices = options.devices;
  const report = new Report('emulator', options);
  const gc = (globalThis as { gc?: () => void }).gc;

  gc?.();
  const memory = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const heapBefore = memory();
  let started = performance.now();
  const handle = await startEmulator({ devices, rateLimit: 0 });
  const startupMs = performance.now() - started;
  gc?.();
  const heapMb = (memory() - heapBefore) / 1e6;

  const tokenResponse = await fetch(handle.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: handle.clientId, client_secret: handle.clientSecret, scope: 'https://graph.microsoft.com/.default' }),
  });
  const token = ((await tokenResponse.json()) as { access_token: string }).access_token;
  const headers = { authorization: `Bearer ${token}` };

  // Page through (up to) 20,000 devices, 50 at a time.
  started = performance.now();
  let next: string | undefined = '/teamwork/devices?$top=50';
  const ids: string[] = [];
  while (next && ids.length < 20_000) {
    const page = (await (await fetch(`${handle.graphBaseUrl}${next}`, { headers })).json()) as { value: { id: string }[]; '@odata.nextLink'?: string };
    ids.push(...page.value.map((d) => d.id));
    next = page['@odata.nextLink'];
  }
  const listSeconds = (performance.now() - started) / 1000;

  // 2,000 health reads, 8 in flight.
  started = performance.now();
  let cursor = 0;
  const reads = Math.min(2000, ids.length);
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (cursor < reads) {
      const id = ids[cursor++];
      const res = await fetch(`${handle.graphBaseUrl}/teamwork/devices/${id}/health`, { headers });
      await res.arrayBuffer();
    }
  }));
  const healthSeconds = (performance.now() - started) / 1000;

  // 200 batches of 20 health reads, 4 in flight.
  started = performance.now();
  let batchCursor = 0;
  const batches = Math.min(200, Math.floor(ids.length / 20));
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (batchCursor < batches) {
      const b = batchCursor++;
      const requests = ids.slice(b * 20, b * 20 + 20).map((id, k) => ({ id: String(k), method: 'GET', url: `/teamwork/devices/${id}/health` }));
      const res = await fetch(`${handle.graphBaseUrl}/$batch`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ requests }) });
      await res.arrayBuffer();
    }
  }));
  const batchSeconds = (performance.now() - started) / 1000;
  await handle.close();

  if (ids.length === 0 || reads === 0 || batches === 0) throw new BenchError(`listed ${ids.length} devices, read ${reads} healths and ${batches} batches: nothing was measured`);
  report.note(`emulator: ${devices} devices, rate limit off, over loopback${gc ? '' : ' (run with --expose-gc for the heap figure)'}`);
  report.work('emulator_devices', devices, 'devices', 'no device generated');
  report.figure('emulator_startup_ms', startupMs, 'ms');
  report.figure('emulator_heap_mb', heapMb, 'MB (heap and array buffers after start-up)');
  report.figure('emulator_peak_rss_mb', inProcessPeakRssMb(), 'MB (this process, client included)');
  report.figure('emulator_devices_listed', ids.length / listSeconds, 'devices/s');
  report.figure('emulator_health_reads', reads / healthSeconds, 'requests/s');
  report.figure('emulator_batched_health_reads', (batches * 20) / batchSeconds, 'inner requests/s');
  report.finish();
});
