// Reads the software state of every emulated device at the emulator's rate limit, with the
// Graph adapter and then with a naive script (one request per device, no batching, a fixed 1 s
// sleep on 429), against the same emulator running in a child process (so the memory figures
// are the client's alone).
//
// Usage: node bench/fleet-read.bench.ts [--devices N] [--rate R] [--client adapter|naive|both]
// Defaults: 10,000 devices, 30 requests/s (the documented Teams limit), both clients. At full
// size each client takes about six minutes: run it in the background.
import { spawn, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { resourceUsage } from 'node:process';
import { systemClock } from '../controller/model/clock.ts';
import { FleetError } from '../controller/model/fleet.ts';
import { silentLogger } from '../controller/log/logger.ts';
import { createFleet } from '../controller/config/fleet-connection.ts';
import { parseFleetOptions } from '../controller/config/fleet-options.ts';

const { values } = parseArgs({
  options: { devices: { type: 'string', default: '10000' }, rate: { type: 'string', default: '30' }, client: { type: 'string', default: 'both' } },
});
const devices = Number(values.devices);
const rate = Number(values.rate);
const which = values.client ?? 'both';
if (!Number.isInteger(devices) || devices <= 0 || !(rate > 0) || !['adapter', 'naive', 'both'].includes(which)) {
  process.stderr.write('usage: fleet-read.bench.ts [--devices N] [--rate R] [--client adapter|naive|both]\n');
  process.exit(2);
}

interface EmulatorProcess {
  readonly url: string;
  readonly child: ChildProcess;
}

async function startEmulatorProcess(): Promise<EmulatorProcess> {
  const root = new URL('..', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'bin/firmwarden.mjs', 'emulator', '--port', '0', '--devices', String(devices), '--rate-limit', String(rate)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (d: Buffer) => {
      text += d.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  child.stdout?.resume();
  return { url, child };
}

async function control(url: string, method: string, path: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}/_emulator/${path}`, { method });
  return (await response.json()) as Record<string, unknown>;
}

/** Samples the resident set size while `work` runs. */
async function withPeakRss<T>(work: () => Promise<T>): Promise<{ result: T; peakRssMb: number; baselineRssMb: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, peakRssMb: peak / 1024 / 1024, baselineRssMb: baseline / 1024 / 1024 };
  } finally {
    clearInterval(timer);
  }
}

const defaults = { tenant: '7d3f8c2a-1b4e-4f6a-9c0d-2e5b8a1f4c37', clientId: 'f1d0e5a2-3c4b-4d6e-8f7a-9b0c1d2e3f4a', clientSecret: 'emulator-demo-secret' };

/** The adapter: list at $top=50, health through $batch, paced. */
async function runAdapter(url: string): Promise<{ read: number; failed: number; clientUnits: number; clientHttp: number }> {
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
async function runNaive(url: string): Promise<{ read: number; failed: number; clientUnits: number; clientHttp: number }> {
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

interface Figures {
  readonly requests: number;
  readonly httpRequests: number;
  readonly throttled: number;
  readonly seconds: number;
  readonly peakRssMb: number;
  readonly baselineRssMb: number;
  readonly read: number;
  readonly failed: number;
}

const minimum = Math.ceil(devices / 50) + devices;
const boundSeconds = minimum / rate;

function report(name: string, f: Figures): Record<string, number> {
  const figures = {
    devices_read: f.read,
    devices_failed: f.failed,
    requests_sent: f.requests,
    requests_min: minimum,
    requests_ratio: f.requests / minimum,
    http_requests: f.httpRequests,
    throttled_429: f.throttled,
    throttled_share_pct: (100 * f.throttled) / Math.max(1, f.requests),
    wall_s: f.seconds,
    bound_s: boundSeconds,
    rate_share: boundSeconds / f.seconds,
    peak_rss_mb: f.peakRssMb,
    rss_growth_mb: f.peakRssMb - f.baselineRssMb,
  };
  const units: Record<string, string> = {
    devices_read: 'devices', devices_failed: 'devices', requests_sent: 'requests', requests_min: 'requests', requests_ratio: 'x', http_requests: 'requests',
    throttled_429: 'responses', throttled_share_pct: '%', wall_s: 's', bound_s: 's', rate_share: 'of allowed rate', peak_rss_mb: 'MB', rss_growth_mb: 'MB',
  };
  for (const [key, value] of Object.entries(figures)) {
    process.stdout.write(`${name}_${key}: ${Number.isInteger(value) ? value : value.toFixed(3)} ${units[key]}\n`);
  }
  return figures;
}

async function measure(name: string, url: string, run: (url: string) => Promise<{ read: number; failed: number; clientUnits: number; clientHttp: number }>): Promise<Record<string, number>> {
  await control(url, 'DELETE', 'requests');
  const started = performance.now();
  const { result, peakRssMb, baselineRssMb } = await withPeakRss(() => run(url));
  const seconds = (performance.now() - started) / 1000;
  const stats = (await control(url, 'GET', 'stats')) as { graphRequests: number; httpRequests: number; throttled: number };
  return report(name, { requests: stats.graphRequests, httpRequests: stats.httpRequests, throttled: stats.throttled, seconds, peakRssMb, baselineRssMb, read: result.read, failed: result.failed });
}

process.stdout.write(`fleet-read: ${devices} devices at ${rate} requests/s; minimum ${minimum} requests (${Math.ceil(devices / 50)} pages of 50 + one health read per device), bound ${boundSeconds.toFixed(1)} s\n`);
const emulator = await startEmulatorProcess();
const results: Record<string, Record<string, number>> = {};
try {
  if (which !== 'naive') results['adapter'] = await measure('adapter', emulator.url, runAdapter);
  if (which === 'both') await new Promise((r) => setTimeout(r, 2000)); // let the emulator's bucket refill
  if (which !== 'adapter') results['naive'] = await measure('naive', emulator.url, runNaive);
  const adapter = results['adapter'];
  const naive = results['naive'];
  if (adapter && naive) {
    const ratios = {
      naive_vs_adapter_requests: (naive['requests_sent'] ?? 0) / (adapter['requests_sent'] ?? 1),
      naive_vs_adapter_http_requests: (naive['http_requests'] ?? 0) / (adapter['http_requests'] ?? 1),
      naive_vs_adapter_429s: (naive['throttled_429'] ?? 0) / Math.max(1, adapter['throttled_429'] ?? 0),
      naive_vs_adapter_wall: (naive['wall_s'] ?? 0) / (adapter['wall_s'] ?? 1),
    };
    for (const [key, value] of Object.entries(ratios)) process.stdout.write(`${key}: ${value.toFixed(3)} x\n`);
    results['ratios'] = ratios;
  }
  process.stdout.write(`${JSON.stringify({ bench: 'fleet-read', devices, rate, maxRssMb: resourceUsage().maxRSS / 1024, results })}\n`);
} finally {
  emulator.child.kill('SIGTERM');
}
