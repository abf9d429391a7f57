// Issue 5's benchmark: from a push of an immediate ScheduledUpdate to the first updateSoftware
// the controller sends, with the webhook, on a 10,000-device fleet; and the controller's memory
// in steady state with those 10,000 devices.
// Real processes: `firmwarden emulator` (10,000 devices, no rate limit so the fleet view fills in
// seconds — the latency measured is the controller's, not the API's), `firmwarden run` on a real
// Git remote (smart HTTP on loopback). Usage: node bench/webhook-latency.bench.ts [--devices N]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitFiles, git, startGitRemote } from '../test/support/git-remote.ts';

const root = new URL('..', import.meta.url).pathname;
const devices = Number(process.argv[process.argv.indexOf('--devices') + 1] || 10_000) || 10_000;
const secret = 'bench-webhook-secret-0123456789';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}
function start(args: string[], env: Record<string, string> = {}): { child: ChildProcess; output: () => string } {
  let out = '';
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', join(root, 'bin/firmwarden.mjs'), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

const emulatorPort = await freePort();
const emulator = start(['emulator', '--port', String(emulatorPort), '--devices', String(devices), '--rate-limit', '0']);
const remote = await startGitRemote({ files: { 'README.md': '# fleet config\n' } });
const dataDir = mkdtempSync(join(tmpdir(), 'fw-bench-run-'));
let controller: ReturnType<typeof start> | undefined;
try {
  const base = `http://127.0.0.1:${emulatorPort}`;
  for (let i = 0; i < 100 && !emulator.output().includes('listening on'); i++) await sleep(100);
  const settings = emulator.output();
  const pick = (label: RegExp) => label.exec(settings)?.[1] ?? '';
  const tenant = pick(/tenant\S*\s+(\S+)/i);
  const clientId = pick(/client[- ]id\S*\s+(\S+)/i);
  const clientSecret = pick(/client[- ]secret\S*\s+(\S+)/i);
  const httpPort = await freePort();
  controller = start(
    ['run', '--repo', remote.url, '--data-dir', dataDir, '--interval', '0', '--resync', '5m', '--listen', `127.0.0.1:${httpPort}`,
      '--graph-url', `${base}/beta`, '--login-url', base, '--tenant', tenant, '--client-id', clientId, '--fleet-rate', '10000'],
    { FIRMWARDEN_WEBHOOK_SECRET: secret, AZURE_CLIENT_SECRET: clientSecret, FIRMWARDEN_LOG_LEVEL: 'warn' },
  );
  // Wait until the controller has read every device (its fleet view fills in steps of 500).
  const readsNeeded = devices;
  for (let i = 0; i < 600; i++) {
    const stats = (await (await fetch(`${base}/_emulator/stats`)).json()) as { byStatus?: Record<string, number>; graphRequests?: number };
    if ((stats.graphRequests ?? 0) >= readsNeeded + devices / 50) break;
    await sleep(500);
  }
  await sleep(3000);
  const samples: number[] = [];
  for (let i = 0; i < 20; i++) {
    samples.push(rssMb(controller.child.pid!));
    await sleep(500);
  }
  const list = (await (await fetch(`${base}/_emulator/devices?limit=500`)).json()) as { id: string; unknownFirmware: boolean; healthStatus: string; software: { firmware?: { availableVersion: string | null } } }[];
  const target = (Array.isArray(list) ? list : (list as { devices: typeof list }).devices).find((d) => !d.unknownFirmware && d.healthStatus !== 'offline' && d.software.firmware?.availableVersion);
  if (!target) throw new Error('no device with a firmware update to target');
  const person = remote.clonePerson('ada');
  commitFiles(person, {
    'schedules/now.yaml': `apiVersion: firmwarden.dev/v1alpha1\nkind: ScheduledUpdate\nmetadata:\n  name: now\nspec:\n  targets:\n    deviceIds: ["${target.id}"]\n  software:\n    - type: firmware\n      version: latest\n`,
  }, 'Update one device now');
  const t0 = performance.now();
  git(person, ['push', '-q', 'origin', 'HEAD:main']);
  const hook = await fetch(`http://127.0.0.1:${httpPort}/hooks/git`, { method: 'POST', headers: { 'x-firmwarden-token': secret, 'content-type': 'application/json' }, body: '{}' });
  let latency = NaN;
  for (let i = 0; i < 600; i++) {
    const log = (await (await fetch(`${base}/_emulator/requests?deviceId=${target.id}&action=updateSoftware`)).json()) as unknown[] | { entries: unknown[] };
    const entries = Array.isArray(log) ? log : log.entries;
    if (entries.length > 0) {
      latency = performance.now() - t0;
      break;
    }
    await sleep(20);
  }
  const maxRss = Math.max(...samples);
  process.stdout.write(
    [
      `webhook_status: ${hook.status}`,
      `fleet_devices: ${devices} devices`,
      `push_to_first_operation_ms: ${latency.toFixed(0)} ms`,
      `push_to_first_operation_goal: ${latency < 2000 ? 'met' : 'missed'} (< 2000 ms)`,
      `controller_steady_rss_max_mb: ${maxRss.toFixed(1)} MB`,
      `controller_steady_rss_goal: ${maxRss < 200 ? 'met' : 'missed'} (< 200 MB)`,
      JSON.stringify({ bench: 'webhook-latency', devices, latencyMs: Math.round(latency), steadyRssMaxMb: Math.round(maxRss), rssSamplesMb: samples.map((s) => Math.round(s)) }),
    ].join('\n') + '\n',
  );
} finally {
  controller?.child.kill('SIGTERM');
  emulator.child.kill('SIGTERM');
  await sleep(500);
  await remote.close();
  rmSync(dataDir, { recursive: true, force: true });
}
