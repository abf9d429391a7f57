// A child process the harness owns: started in its own process group with its output in a log
// file, stopped by signalling the whole group. Where util-linux's setpriv exists, the child
// also gets a parent-death signal, so a test process killed by the runner's timeout does not
// leave an etcd or kube-apiserver running.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, openSync, closeSync, readFileSync } from 'node:fs';

const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
});

const live = new Set<OwnedProcess>();
process.once('exit', () => {
  // Last resort when a test forgot close(): synchronous kills are all that work here.
  for (const p of live) p.kill('SIGKILL');
});

/** A started program and how to end it. */
export class OwnedProcess {
  readonly name: string;
  readonly logFile: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  #exitCode: number | null | undefined;

  constructor(name: string, command: string, args: string[], logFile: string, env: NodeJS.ProcessEnv = process.env) {
    this.name = name;
    this.logFile = logFile;
    const fd = openSync(logFile, 'a');
    const [file, argv] = setpriv ? [setpriv, ['--pdeathsig', 'KILL', '--', command, ...args]] : [command, args];
    try {
      this.child = spawn(file, argv, { detached: true, stdio: ['ignore', fd, fd], env });
    } finally {
      closeSync(fd);
    }
    live.add(this);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        live.delete(this);
        this.#exitCode = code ?? (signal ? -1 : null);
        resolve(this.#exitCode);
      });
      this.child.once('error', () => {
        live.delete(this);
        this.#exitCode = -1;
        resolve(-1);
      });
    });
  }

  /** True while the process has not exited. */
  get running(): boolean {
    return this.#exitCode === undefined;
  }

  /** The last `lines` lines of the process's output, for error messages. */
  tail(lines = 30): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /** Sends `signal` to the whole process group. */
  kill(signal: NodeJS.Signals): void {
    if (!this.running || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // Already gone.
    }
  }

  /** Asks the group to stop, then kills it after `graceMs`; resolves once it has exited. */
  async stop(graceMs = 5_000): Promise<void> {
    if (!this.running) return;
    this.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const forced = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.kill('SIGKILL');
        resolve();
      }, graceMs);
    });
    await Promise.race([this.exited, forced]);
    clearTimeout(timer);
    await this.exited;
  }
}
