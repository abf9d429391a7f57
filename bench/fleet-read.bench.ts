// Reads the software state of every emulated device at the emulator's rate limit, with the
// Graph adapter and then with a naive script (one request per device, no batching, a fixed 1 s
// sleep on 429), against the same emulator running in a child process. Each client runs in a
// process of its own (this file again, with --client and --emulator-url), so its peak RSS is
// its own, by /usr/bin/time (bench/support/measure.ts), not sampled.
//
// Usage: node bench/fleet-read.bench.ts [--devices N] [--rate R] [--client adapter|naive|both]
// Defaults: 10,000 devices, 30 requests/s (the documented Teams limit), both clients. At full
// size each client takes about six minutes: run it in the background.
import { FleetError } from '../controller/model/fleet.ts';
import { systemClock } from '../controller/model/clock.ts';
import { silentLogger } from '../controller/log/logger.ts';
import { createFleet } from '../controller/config/fleet-connection.ts';
import { parseFleetOptions } from '../controller/config/fleet-options.ts';
import { runProcess } from './support/measure.ts';
import { parseOptions } from './support/options.ts';
import { control, demoApp as defaults, sleep, startEmulator, type EmulatorStats } from './support/processes.ts';
import { BenchError, Report, runBench } from './support/report.ts';

const script = new URL(import.meta.url).pathname;
const root = new URL('..', import.meta.url).pathname;
type ClientResult = { read: number; failed: number; clientUnits: number; clientHttp: number };
/** The rate limit the adapter is told (--fleet-rate), from --rate. */
let rate = 30;

/** The adapter: list at $top=50, health through $batch, paced. */
async function runAdapter(url: string): Promise<ClientResult> {
  const { options } = parseFleetOptions(
    ['--graph-url', url, '--tenant', defaults.tenant, '--client-id', defaults.clientId, '--client-secret', defaults.clientSecret, '--fleet-rate', String(rate)],
    {},
  );
  const connection = await createFleet(options, { logger: silentLogger(), clock: systemClock });
  const list = await connection.fleet.listDevices();
  const software = await connection.fleet.readSoftware(list.map((d) => d.id));
  const failed = [...software.values()].filter((v) => v instanceof FleetError).length;
  const stats = connection.fleet.stats();
  await connection.close();
  return { read: software.size - failed, failed, clientUnits: stats.units, clientHttp: stats.httpRequests };
}

/** What an admin's script would do: follow nextLink, then GET each health in turn; on 429 sleep 1 s and retry. */
async function runNaive(url: string): Promise<ClientResult> {
  const form = new URLSearchParams({ client_id: defaults.clientId, client_secret: defaults.clientSecret, scope: `${url}/.default`, grant_type: 'client_credentials' });
  const tokenResponse = await fetch(`${url}/${defaults.tenant}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  const token = ((await tokenResponse.json()) as { access_token: string }).access_token;
  let sent = 0;
  const get = async (target: string): Promise<unknown> => {
    for (;;) {
      sent++;
      const response = await fetch(target, { headers: { authorization: `Bearer ${token}` } });
      if (response.status === 429) {
        await response.arrayBuffer();
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.json();
    }
  };
  const ids: string[] = [];
  let next: string | undefined = `${url}/beta/teamwork/devices`;
  while (next) {
    const page = (await get(next)) as { value: { id: string }[]; '@odata.nextLink'?: string };
    ids.push(...page.value.map((d) => d.id));
    const link = page['@odata.nextLink'];
    next = link === undefined ? undefined : link.startsWith('http') ? link : `${url}/beta${link}`;
  }
  let read = 0;
  let failed = 0;
  for (const id of ids) {
    try {
      await get(`${url}/beta/teamwork/devices/${id}/health`);
      read++;
    } catch {
      failed++;
    }
  }
  return { read, failed, clientUnits: sent, clientHttp: sent };
}

/** One client in this process (the child side): prints its result as JSON. */
async function child(which: string, url: string): Promise<void> {
  const result = which === 'adapter' ? await runAdapter(url) : await runNaive(url);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await runBench('fleet-read', async () => {
  const options = parseOptions('fleet-read.bench.ts', {
    devices: { kind: 'count', default: 10_000, help: 'emulated devices' },
    rate: { kind: 'number', default: 30, min: 1, help: 'the emulator\'s rate limit, requests per second' },
    client: { kind: 'choice', default: 'both', choices: ['adapter', 'naive', 'both'], help: 'which client(s) to run' },
    'emulator-url': { kind: 'text', default: '', help: '(internal) run one client against this emulator and print its result' },
  });
  const devices = options.devices;
  rate = options.rate;
  if (options['emulator-url']) return child(options.client, options['emulator-url']);
  const minimum = Math.ceil(devices / 50) + devices;
  const boundSeconds = minimum / rate;
  const report = new Report('fleet-read', options);
  report.note(`fleet-read: ${devices} devices at ${rate} requests/s; minimum ${minimum} requests (${Math.ceil(devices / 50)} pages of 50 + one health read per device), bound ${boundSeconds.toFixed(1)} s`);
  const emulator = await startEmulator(['--devices', String(devices), '--rate-limit', String(rate)]);
  try {
    const measured: Record<string, { requests: number; wall: number }> = {};
    for (const which of options.client === 'both' ? ['adapter', 'naive'] : [options.client]) {
      if (Object.keys(measured).length > 0) await sleep(2000); // the emulator's bucket refills
      await control(emulator.url, 'DELETE', 'requests');
      const r = await runProcess(process.execPath, ['--disable-warning=ExperimentalWarning', script, '--client', which, `--emulator-url=${emulator.url}`, '--devices', String(devices), '--rate', String(rate)], { cwd: root, node: true });
      if (r.code !== 0) throw new BenchError(`the ${which} client exited with ${r.code}: ${r.stderr.slice(-500)}`);
      const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as ClientResult;
      const stats = await control<EmulatorStats>(emulator.url, 'GET', 'stats');
      report.work(`${which}_devices_read`, result.read, 'devices', `the ${which} client read no device`);
      report.expect(`devices the ${which} client read or failed`, result.read + result.failed, devices);
      report.figure(`${which}_devices_failed`, result.failed, 'devices', { zeroOk: true });
      report.work(`${which}_requests_sent`, stats.graphRequests, 'requests', `the ${which} client sent no request`);
      report.figure(`${which}_requests_ratio`, stats.graphRequests / minimum, 'x');
      report.figure(`${which}_http_requests`, stats.httpRequests, 'requests');
      report.figure(`${which}_throttled_429`, stats.throttled, 'responses', { zeroOk: true });
      report.figure(`${which}_wall_s`, r.ms / 1000, 's');
      report.figure(`${which}_rate_share`, boundSeconds / (r.ms / 1000), 'of allowed rate');
      report.figure(`${which}_peak_rss_mb`, r.maxRssMb, 'MB (whole client process)');
      measured[which] = { requests: stats.graphRequests, wall: r.ms };
    }
    const { adapter, naive } = measured;
    if (adapter && naive) {
      report.figure('naive_vs_adapter_requests', naive.requests / adapter.requests, 'x');
      report.figure('naive_vs_adapter_wall', naive.wall / adapter.wall, 'x');
    }
    report.finish();
  } finally {
    await emulator.stop();
  }
});
