// A real Git remote for tests: a bare repository served by `git http-backend` (smart HTTP)
// behind a small Node http server on 127.0.0.1 and a random port. It can require a token
// (HTTP Basic, as GitHub/GitLab accept one), play unreachable (connections dropped), and run
// a hook just before it answers a push, to stage "someone pushed first" races exactly.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Environment for git commands run by tests: no user or system config, fixed identity, English. */
export function testGitEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    LC_ALL: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: 'Ada Admin',
    GIT_AUTHOR_EMAIL: 'ada@example.com',
    GIT_COMMITTER_NAME: 'Ada Admin',
    GIT_COMMITTER_EMAIL: 'ada@example.com',
    ...extra,
  };
}

/** Runs git in `cwd` and returns its stdout (throws on failure). */
export function git(cwd: string, args: readonly string[], extraEnv: Record<string, string> = {}): string {
  return execFileSync('git', [...args], { cwd, env: testGitEnv(extraEnv), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface GitRemote {
  /** http://127.0.0.1:<port>/config.git */
  readonly url: string;
  /** The bare repository on disk (people's clones push here directly). */
  readonly bareDir: string;
  /** A scratch folder removed on close. */
  readonly root: string;
  /** Drops every new connection while false (the remote is "down"). */
  setReachable(up: boolean): void;
  /** Runs `hook` once, right before the next push's ref advertisement is answered. */
  beforeNextPush(hook: () => void | Promise<void>): void;
  /** Requests answered 401 (missing or wrong token). */
  readonly unauthorized: number;
  /** Every Authorization header value received (to check what went over the wire). */
  readonly authorizations: readonly string[];
  /** A person's clone in a new folder (via the bare path, bypassing auth); returns its path. */
  clonePerson(name: string): string;
  /** The head of `branch` in the bare repository. */
  head(branch?: string): string;
  close(): Promise<void>;
}

export interface GitRemoteOptions {
  /** Files of the first commit on `branch`. */
  readonly files?: Readonly<Record<string, string>>;
  /** Default: main. */
  readonly branch?: string;
  /** When set, every request needs HTTP Basic with this password (any user name). */
  readonly token?: string;
}

/** Writes `files` into `dir` (creating folders), then commits everything with `message`. */
export function commitFiles(dir: string, files: Readonly<Record<string, string>>, message: string, extraArgs: readonly string[] = []): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', ...extraArgs, '-m', message]);
  return git(dir, ['rev-parse', 'HEAD']).trim();
}

/** Starts the remote with an initial commit; close it in the test's teardown. */
export async function startGitRemote(options: GitRemoteOptions = {}): Promise<GitRemote> {
  const branch = options.branch ?? 'main';
  const root = mkdtempSync(join(tmpdir(), 'fw-remote-'));
  const projectRoot = join(root, 'srv');
  const bareDir = join(projectRoot, 'config.git');
  mkdirSync(projectRoot, { recursive: true });
  git(root, ['init', '-q', '--bare', `--initial-branch=${branch}`, bareDir]);
  const seed = join(root, 'seed');
  git(root, ['clone', '-q', bareDir, seed]);
  git(seed, ['checkout', '-q', '-B', branch]);
  commitFiles(seed, options.files ?? { 'README.md': '# config\n' }, 'initial manifests');
  git(seed, ['push', '-q', 'origin', `HEAD:refs/heads/${branch}`]);

  let reachable = true;
  let pushHook: (() => void | Promise<void>) | undefined;
  let unauthorized = 0;
  const authorizations: string[] = [];
  const sockets = new Set<Socket>();

  const isAuthorized = (req: IncomingMessage): boolean => {
    if (options.token === undefined) return true;
    const header = req.headers.authorization;
    if (header !== undefined) authorizations.push(header);
    if (header === undefined || !header.startsWith('Basic ')) return false;
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1) === options.token;
  };

  const serveCgi = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const env: Record<string, string> = {
      ...testGitEnv(),
      GIT_PROJECT_ROOT: projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      // http-backend serves receive-pack (push) only to an authenticated user.
      REMOTE_USER: 'tester',
      REMOTE_ADDR: '127.0.0.1',
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ''),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
    };
    if (req.headers['content-length'] !== undefined) env.CONTENT_LENGTH = req.headers['content-length'];
    if (req.headers['content-encoding'] !== undefined) env.HTTP_CONTENT_ENCODING = String(req.headers['content-encoding']);
    if (req.headers['git-protocol'] !== undefined) env.GIT_PROTOCOL = String(req.headers['git-protocol']);
    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
    req.pipe(child.stdin);
    child.stdin.on('error', () => undefined);
    let head = Buffer.alloc(0);
    let headersDone = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      let end = head.indexOf('\r\n\r\n');
      let sepLength = 4;
      if (end < 0) {
        end = head.indexOf('\n\n');
        sepLength = 2;
      }
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString('latin1').split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
        else res.setHeader(name, value);
      }
      res.statusCode = status;
      res.write(head.subarray(end + sepLength));
    });
    child.on('close', () => res.end());
  };

  const server = createServer((req, res) => {
    if (!isAuthorized(req)) {
      unauthorized += 1;
      req.resume();
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="config"' }).end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.endsWith('/info/refs') && url.searchParams.get('service') === 'git-receive-pack' && pushHook !== undefined) {
      const hook = pushHook;
      pushHook = undefined;
      req.pause();
      Promise.resolve(hook()).then(
        () => serveCgi(req, res),
        () => res.writeHead(500).end(),
      );
      return;
    }
    serveCgi(req, res);
  });
  server.on('connection', (socket: Socket) => {
    if (!reachable) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  let people = 0;

  return {
    url: `http://127.0.0.1:${port}/config.git`,
    bareDir,
    root,
    setReachable(up) {
      reachable = up;
      if (!up) for (const s of sockets) s.destroy();
    },
    beforeNextPush(hook) {
      pushHook = hook;
    },
    get unauthorized() {
      return unauthorized;
    },
    authorizations,
    clonePerson(name) {
      const dir = join(root, `person-${name}-${++people}`);
      git(root, ['clone', '-q', '--branch', branch, bareDir, dir]);
      return dir;
    },
    head(b = branch) {
      return git(bareDir, ['rev-parse', `refs/heads/${b}`]).trim();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
