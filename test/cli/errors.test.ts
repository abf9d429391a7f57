// What a person sees when a command cannot run: the real `firmwarden` process, a table of bad
// inputs (missing credentials, mistyped flags, a refused secret at a real emulator, an
// unreachable fleet, a closed pipe), each ending in one or two sentences and never a stack trace.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { startEmulator } from '../../controller/fleet/emulator/server.ts';
import type { EmulatorHandle } from '../../controller/fleet/emulator/emulator-options.ts';
import { root } from './plan-harness.ts';

const bin = new URL('../../bin/firmwarden.mjs', import.meta.url).pathname;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a shell-free command line of firmwarden with a clean environment (no Azure variables). */
function firmwarden(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return run(process.execPath, [bin, ...args], env);
}

function run(file: string, args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: root, env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** No stack frames, no Node.js banner, no raw error object dump. */
function assertNoTrace(text: string): void {
  assert.not.match(text, /\n\s+at .+:\d+:\d+/, `a stack trace:\n${text}`);
  assert.not.match(text, /Node\.js v\d+/, `Node's crash banner:\n${text}`);
  assert.not.match(text, /\{\s*\n\s+\w+: /, `an error object dump:\n${text}`);
}

let emulator: EmulatorHandle;
/** A loopback port nobody listens on (taken from the system, then released). */
let closedPort = 0;
test.before(async () => {
  emulator = await startEmulator({ devices: 30, seed: 3, rateLimit: 0 });
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
});
test.after(async () => {
  await emulator.close();
});

const cases: { name: string; args: () => string[]; code: number; stderr: RegExp }[] = [
  {
    name: 'plan without credentials refuses to invent a fleet and names the variables and --emulator',
    args: () => ['plan', 'examples'],
    code: 2,
    stderr: /^firmwarden plan: no fleet credentials: set AZURE_TENANT_ID and AZURE_CLIENT_ID .* add --emulator .*\nRun 'firmwarden plan --help' for its options\.\n$/,
  },
  {
    name: 'why without credentials refuses the same way',
    args: () => ['why', 'SOME-DEVICE', 'examples'],
    code: 2,
    stderr: /^firmwarden why: no fleet credentials: /,
  },
  {
    name: 'a mistyped flag gets "did you mean" before any credential check',
    args: () => ['plan', 'examples', '--frmat', 'json'],
    code: 2,
    stderr: /^firmwarden plan: unknown option --frmat; did you mean --format\?\n/,
  },
  {
    name: 'a mistyped fleet flag is suggested too',
    args: () => ['plan', 'examples', '--tennant', 'x'],
    code: 2,
    stderr: /unknown option --tennant; did you mean --tenant\?/,
  },
  {
    name: 'a flag without its value says so',
    args: () => ['why', 'X', 'examples', '--format'],
    code: 2,
    stderr: /^firmwarden why: --format needs a value\n/,
  },
  {
    name: 'an unknown command suggests the closest one',
    args: () => ['pln'],
    code: 2,
    stderr: /^firmwarden: unknown command 'pln'; did you mean 'plan'\? Run 'firmwarden --help' for the commands\.\n$/,
  },
  {
    name: 'a wrong secret at the sign-in endpoint is named with its AADSTS code and the fix',
    args: () => ['plan', 'examples', '--graph-url', emulator.graphBaseUrl, '--tenant', emulator.tenant, '--client-id', emulator.clientId, '--client-secret', 'not-the-secret'],
    code: 2,
    stderr: /^firmwarden plan: sign-in to 127\.0\.0\.1:\d+ failed \(secret\): AADSTS7000215: the client secret is wrong: use the secret's Value/,
  },
  {
    name: 'an app unknown to the tenant is named with its AADSTS code',
    args: () => ['plan', 'examples', '--graph-url', emulator.graphBaseUrl, '--tenant', emulator.tenant, '--client-id', '00000000-0000-0000-0000-00000000abcd', '--client-secret', 'x'],
    code: 2,
    stderr: /sign-in to 127\.0\.0\.1:\d+ failed \(secret\): AADSTS700016: no application with this client id/,
  },
  {
    name: 'a sign-in endpoint that refuses connections says it cannot be reached',
    args: () => ['plan', 'examples', '--graph-url', `http://127.0.0.1:${closedPort}/beta`, '--tenant', 't', '--client-id', 'c', '--client-secret', 's', '--fleet-timeout', '2'],
    code: 2,
    stderr: /sign-in to 127\.0\.0\.1:\d+ failed \(secret\): cannot reach 127\.0\.0\.1:\d+: the connection was refused/,
  },
  {
    name: 'a manifest path that does not exist is one line',
    args: () => ['plan', 'no/such/folder', '--emulator'],
    code: 2,
    stderr: /^firmwarden plan: no\/such\/folder: no such file or folder\n/,
  },
];

for (const c of cases) {
  test(c.name, async () => {
    const r = await firmwarden(c.args());
    assert.is(r.code, c.code, r.stderr);
    assert.match(r.stderr, c.stderr);
    assert.ok(r.stderr.length < 600, `more than a couple of sentences:\n${r.stderr}`);
    assertNoTrace(r.stderr);
    assert.not.match(r.stderr, /not-the-secret/, 'the secret was printed');
  });
}

test('-o is --format, and every plan output names its fleet', async () => {
  const json = await firmwarden(['plan', 'examples', '--emulator', '-o', 'json']);
  assert.is(json.code, 0, json.stderr);
  const doc = JSON.parse(json.stdout) as { fleet: { kind: string; seed: string; devices: number } };
  assert.equal(doc.fleet, { kind: 'emulator', seed: '42', devices: 500 });
  const text = await firmwarden(['plan', 'examples', '--emulator', '--limit', '1']);
  assert.match(text.stdout, /\nFleet: emulator \(seed 42, 500 devices\) — invented devices, not a real tenant\n/);
  const md = await firmwarden(['plan', 'examples', '--emulator', '-o', 'markdown', '--limit', '1']);
  assert.match(md.stdout, /> \[!CAUTION\]\n> This plan was computed on the built-in emulator, not on your tenant/);
});

test('a plan of a real tenant names the tenant and its cloud instead', async () => {
  const r = await firmwarden(['plan', 'examples', '-o', 'json', '--graph-url', emulator.graphBaseUrl, '--tenant', emulator.tenant, '--client-id', emulator.clientId], {
    AZURE_CLIENT_SECRET: emulator.clientSecret,
  });
  assert.is(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { fleet: unknown };
  assert.equal(doc.fleet, { kind: 'graph', tenant: emulator.tenant, cloud: 'global', graphUrl: emulator.graphBaseUrl });
});

test('a reader that closes the pipe early ends the command quietly', async () => {
  const r = await run('/bin/sh', ['-c', `"${process.execPath}" "${bin}" plan examples --emulator -o json | head -c 10 >/dev/null; echo "status \${PIPESTATUS:-done}"`]);
  assert.is(r.code, 0);
  assert.is(r.stderr, '', `something was printed:\n${r.stderr}`);
});

test('version prints the package version and the runtime', async () => {
  const r = await firmwarden(['version']);
  assert.is(r.code, 0);
  assert.match(r.stdout, /^firmwarden \d+\.\d+\.\d+ \(Node\.js \d+\.\d+\.\d+\)\n$/);
});

test.run();
