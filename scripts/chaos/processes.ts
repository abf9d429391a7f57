// The two real processes of a chaos run: `firmwarden emulator`, which lives through the whole
// run, and `firmwarden run`, killed with SIGKILL and started again with the same state file and
// data folder. The controller runs in its own process group so a kill takes its git children
// with it, as a container's end would.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/firmwarden.mjs');

/** Thrown when the harness itself cannot go on (a process that does not start); exit status 3. */
export class HarnessError extends Error {
  override readonly name = 'HarnessError';
}

/** The environment without the variables that would point the processes elsewhere. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('FIRMWARDEN_') || key.startsWith('AZURE_') || key === 'KUBECONFIG') delete env[key];
  return env;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `promise`, or `fallback` after `ms`; the timer is cleared either way so it never holds the process open. */
async function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<F>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export interface EmulatorProcess {
  readonly url: string;
  readonly graphUrl: string;
  readonly tenant: string;
  readonly clientId: string;
  readonly secretFile: string;
  /** Calls a control endpoint (path after /_emulator) and returns its JSON. */
  control<T>(method: string, path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

/** Starts `firmwarden emulator` and reads its URL and app from what it prints. */
export async function startEmulatorProcess(options: { devices: number; seed: number; speed: number; dir: string }): Promise<EmulatorProcess> {
  const child = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', bin, 'emulator', '--port', '0', '--devices', String(options.devices), '--seed', String(options.seed), '--rate-limit', '0', '--speed', String(options.speed)],
    { cwd: root, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const field = (label: string) => new RegExp(`^\\s*${label}\\s+(\\S+)`, 'm').exec(out)?.[1];
  const deadline = Date.now() + 30_000;
  while (!out.includes('Stop with Ctrl+C')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new HarnessError(`the emulator did not start:\n${err.slice(-2000)}`);
    }
    await sleep(50);
  }
  const graphUrl = field('Graph base URL')!;
  const url = graphUrl.replace(/\/beta\/?$/, '');
  const secretFile = join(options.dir, 'graph-secret');
  await writeFile(secretFile, field('Client secret')!, { mode: 0o600 });
  return {
    url,
    graphUrl,
    tenant: field('Tenant')!,
    clientId: field('Client id')!,
    secretFile,
    async control<T>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await fetch(`${url}/_emulator${path}`, {
        method,
        ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
      const json = (await res.json()) as T;
      if (!res.ok) throw new HarnessError(`emulator ${method} /_emulator${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      if ((await within(exited, 10_000, 'timeout' as const)) === 'timeout') child.kill('SIGKILL');
    },
  };
}

/** `firmwarden run`, started, killed and started again; output appended to one log file. */
export class ControllerProcess {
  readonly #args: readonly string[];
  readonly #log: WriteStream;
  #child: ChildProcess | undefined;
  #exited: Promise<number | null> = Promise.resolve(null);
  #healthUrl: string | undefined;
  #expectExit = false;
  #lastMessage = '';
  #starts = 0;
  /** Called when the process ends without being killed or stopped. */
  onUnexpectedExit: (code: number | null, signal: string | null) => void = () => undefined;

  constructor(args: readonly string[], logPath: string) {
    this.#args = args;
    this.#log = createWriteStream(logPath, { flags: 'a' });
  }

  /** The `msg` of the last log line (what the controller was doing). */
  get lastMessage(): string {
    return this.#lastMessage;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Starts the process with the constructor's arguments plus `extra`. */
  start(extra: readonly string[] = []): void {
    this.#starts++;
    this.#healthUrl = undefined;
    this.#expectExit = false;
    this.#log.write(`----- start ${this.#starts} at ${new Date().toISOString()} ${extra.join(' ')} -----\n`);
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', bin, ...this.#args, ...extra], {
      cwd: root,
      env: { ...cleanEnv(), FIRMWARDEN_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.#child = child;
    // The log goes to stderr (pino), what the command prints to stdout: both into the file.
    const follow = (stream: NodeJS.ReadableStream) => {
      let pending = '';
      stream.on('data', (d: Buffer) => {
        this.#log.write(d);
        pending += d.toString();
        const lines = pending.split('\n');
        pending = lines.pop()!;
        for (const line of lines) {
          const msg = /"msg":"([^"]*)"/.exec(line)?.[1];
          if (msg) this.#lastMessage = msg;
          const url = /health, metrics and webhook on (http:\/\/\S+)/.exec(line)?.[1];
          if (url) this.#healthUrl = url;
        }
      });
    };
    follow(child.stdout!);
    follow(child.stderr!);
    this.#exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        if (!this.#expectExit) this.onUnexpectedExit(code, signal);
        resolve(code);
      }),
    );
  }

  /** Real ms from now until /readyz answers 200 (the first reconcile is done); undefined after `timeoutMs` or an exit. */
  async waitReady(timeoutMs: number): Promise<number | undefined> {
    const started = performance.now();
    while (performance.now() - started < timeoutMs) {
      if (!this.running) return undefined;
      if (this.#healthUrl) {
        try {
          const res = await fetch(`${this.#healthUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
          await res.arrayBuffer();
          if (res.status === 200) return Math.round(performance.now() - started);
        } catch {
          // not listening yet
        }
      }
      await sleep(100);
    }
    return undefined;
  }

  /** SIGKILL to the whole process group, at once (synchronous, so a trigger kills without delay). */
  killNow(): void {
    const child = this.#child;
    if (!child || child.pid === undefined || !this.running) return;
    this.#expectExit = true;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }

  /** Kills and waits for the exit. */
  async kill(): Promise<void> {
    this.killNow();
    await this.#exited;
  }

  /** SIGTERM and the exit code, or 'timeout' (then SIGKILL) when it does not exit within `timeoutMs`. */
  async stop(timeoutMs: number): Promise<number | null | 'timeout'> {
    const child = this.#child;
    if (!child || !this.running) return child?.exitCode ?? null;
    this.#expectExit = true;
    child.kill('SIGTERM');
    const code = await within(this.#exited, timeoutMs, 'timeout' as const);
    if (code === 'timeout') await this.kill();
    return code;
  }

  async close(): Promise<void> {
    await this.kill();
    await new Promise<void>((resolve) => this.#log.end(() => resolve()));
  }
}
