// Notifications from a real `firmwarden run --dir` process to a real receiver on 127.0.0.1: a
// manifest stalled is announced once, HMAC-signed; the process killed with SIGKILL and started
// again does not announce it again; a message pending while the receiver was down survives a
// second SIGKILL and is delivered, once, by the next process.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deliveryHeader, signatureHeader, timestampHeader, verifySignature } from '../../controller/notify/sign.ts';
import { startReceiver, type Received } from '../notify/receiver.ts';

const root = new URL('../..', import.meta.url).pathname;
const key = 'a-signing-key-of-32-characters!!';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 60_000, log?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${log?.().slice(-3000) ?? ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface Controller {
  child: ChildProcess;
  log: () => string;
  reconciles: () => number;
  exited: Promise<number | null>;
}

function startController(dir: string, state: string, hookUrl: string): Promise<Controller> {
  return freePort().then((port) => {
    const child = spawn(
      process.execPath,
      [join(root, 'bin/firmwarden.mjs'), 'run', '--dir', dir, '--state', state, '--resync', '1s', '--listen', `127.0.0.1:${port}`, '--emulator', '--fleet-rate', '10000',
        '--public-url', 'https://firmwarden.example/', '--repo-web-url', 'https://git.example/fleet/blob/main/{path}'],
      { cwd: root, env: { ...process.env, FIRMWARDEN_LOG_LEVEL: 'info', HOOK_URL: hookUrl }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let log = '';
    child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    return { child, log: () => log, reconciles: () => log.split('"msg":"reconciled"').length - 1, exited };
  });
}

const brokenPolicy = (name: string) => `apiVersion: firmwarden.dev/v1alpha1\nkind: UpdatePolicy\nmetadata:\n  name: ${name}\nspec:\n  software:\n    firmware:\n      phse: Test\n`;

function notifications(state: string): { seen: Record<string, number>; outbox: { attempts: number }[] } | undefined {
  if (!existsSync(state)) return undefined;
  try {
    return (JSON.parse(readFileSync(state, 'utf8')) as { notifications?: { seen: Record<string, number>; outbox: { attempts: number }[] } }).notifications;
  } catch {
    return undefined; // read while being replaced
  }
}

test('one notification per event across kill -9 and restart, a pending one delivered after a restart', async () => {
  const work = mkdtempSync(join(tmpdir(), 'fw-notify-run-'));
  const dir = join(work, 'config');
  const state = join(work, 'state.json');
  mkdirSync(dir);
  for (const sub of ['groups', 'policies']) cpSync(join(root, 'examples', sub), join(dir, sub), { recursive: true });
  writeFileSync(join(work, 'signing-key'), `${key}\n`);
  mkdirSync(join(dir, 'notifications'));
  writeFileSync(join(dir, 'notifications', 'hook.yaml'), [
    `apiVersion: firmwarden.dev/v1alpha1\nkind: NotificationChannel\nmetadata:\n  name: hook\nspec:\n  type: webhook\n  secretRef: { env: HOOK_URL }\n  signingSecretRef: { file: ${join(work, 'signing-key')} }\n`,
    'apiVersion: firmwarden.dev/v1alpha1\nkind: NotificationRule\nmetadata:\n  name: stalls\nspec:\n  channelRef: { name: hook }\n  events: [ManifestStalled]\n',
  ].join('---\n'));

  // The receiver checks every signature and answers 204, or 500 while `down`.
  let down = false;
  const accepted: Received[] = [];
  const receiver = await startReceiver((req) => {
    const problem = verifySignature(key, { timestamp: req.headers[timestampHeader] as string, signature: req.headers[signatureHeader] as string }, req.body, Math.floor(Date.now() / 1000));
    if (problem) return { status: 401, body: problem };
    if (down) return { status: 500, body: 'down for maintenance' };
    accepted.push(req);
    return { status: 204 };
  });
  const eventsOf = (r: Received) => (JSON.parse(r.body.toString('utf8')) as { events: { type: string; key: string; subject: { name: string }; manifestUrl?: string }[] }).events;
  const controllers: Controller[] = [];
  try {
    // First life: notifications start from a baseline, then a broken policy is announced once.
    let c = await startController(dir, state, receiver.url);
    controllers.push(c);
    await until('the notification baseline in the state file', () => notifications(state), 90_000, c.log);
    writeFileSync(join(dir, 'policies', 'broken.yaml'), brokenPolicy('broken'));
    await until('the stalled policy announced', () => accepted.length >= 1, 60_000, c.log);
    assert.equal(eventsOf(accepted[0]!).map((e) => [e.type, e.subject.name, e.manifestUrl]), [['ManifestStalled', 'broken', 'https://git.example/fleet/blob/main/policies/broken.yaml']]);
    await until('the delivery saved', () => notifications(state)?.outbox.length === 0, 30_000, c.log);

    // kill -9, start again: several reconciles later, nothing was announced again.
    c.child.kill('SIGKILL');
    await c.exited;
    c = await startController(dir, state, receiver.url);
    controllers.push(c);
    const before = c.reconciles();
    await until('three reconciles after the restart', () => c.reconciles() >= before + 3, 90_000, c.log);
    assert.is(accepted.length, 1, 'the restarted process did not announce the stall again');

    // The receiver goes down; a second broken policy is tried, fails, and waits in the saved outbox.
    down = true;
    const attempts = receiver.received.length;
    writeFileSync(join(dir, 'policies', 'broken2.yaml'), brokenPolicy('broken-two'));
    await until('a failed attempt recorded in the state file', () => (notifications(state)?.outbox[0]?.attempts ?? 0) >= 1 && receiver.received.length > attempts, 60_000, c.log);
    c.child.kill('SIGKILL');
    await c.exited;

    // Third life, receiver back: the pending message is delivered, once.
    down = false;
    c = await startController(dir, state, receiver.url);
    controllers.push(c);
    await until('the pending message delivered', () => accepted.length >= 2, 60_000, c.log);
    const after = c.reconciles();
    await until('three more reconciles', () => c.reconciles() >= after + 3, 90_000, c.log);
    const delivered = accepted.flatMap(eventsOf).map((e) => e.key);
    assert.equal(delivered.sort(), ['ManifestStalled|default/UpdatePolicy/broken-two|InvalidManifest', 'ManifestStalled|default/UpdatePolicy/broken|InvalidManifest']);
    assert.is(new Set(accepted.map((r) => r.headers[deliveryHeader])).size, 2, 'two messages, each accepted once');
    assert.ok(receiver.received.every((r) => r.headers[signatureHeader] !== undefined));

    c.child.kill('SIGTERM');
    assert.is(await c.exited, 0, c.log().slice(-2000));
  } finally {
    for (const c of controllers) c.child.kill('SIGKILL');
    await receiver.close();
    rmSync(work, { recursive: true, force: true });
  }
});

test.run();
