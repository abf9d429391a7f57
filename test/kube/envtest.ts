// A real Kubernetes control plane for tests, in the spirit of controller-runtime's envtest:
// etcd and kube-apiserver on loopback ports picked at random, a throwaway PKI, RBAC on, an
// admin identity (client certificate in system:masters), and helpers to act as a
// ServiceAccount through a TokenRequest token. No kubelet, scheduler or controller-manager:
// objects are stored and validated, nothing runs Pods, namespaces are not garbage-collected.
//
// Binaries come from scripts/provision-kube.sh; when they are missing startKubeEnv() throws
// with instructions (tests fail rather than skip).
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEnvCerts, type EnvCerts } from './envtest-certs.ts';
import { findKubeBinaries, type KubeBinaries } from './envtest-binaries.ts';
import { OwnedProcess } from './envtest-process.ts';

/** Options for startKubeEnv. */
export interface KubeEnvOptions {
  /** Extra kube-apiserver flags (for example `--watch-cache=false`). */
  apiserverArgs?: string[];
  /** How long to wait for /readyz. */
  startTimeoutMs?: number;
}

/** The outcome of one kubectl run. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The answer to one raw API request. */
export interface ApiResponse {
  status: number;
  body: unknown;
  text: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Temporary directories of environments not closed yet; removed at exit if a test crashed
// (envtest-process.ts kills the processes themselves).
const openDirs = new Set<string>();
process.once('exit', () => {
  if (process.env.FIRMWARDEN_KUBE_KEEP === '1') return;
  for (const dir of openDirs) rmSync(dir, { recursive: true, force: true });
});

/** Picks a loopback TCP port that is free right now. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function httpGet(url: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { timeout: 2_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** A running etcd + kube-apiserver pair with an admin kubeconfig. */
export class KubeEnv {
  readonly dir: string;
  readonly server: string;
  readonly port: number;
  readonly certs: EnvCerts;
  readonly binaries: KubeBinaries;
  /** Kubeconfig file of the cluster-admin identity. */
  readonly adminKubeconfig: string;
  readonly etcd: OwnedProcess;
  readonly apiserver: OwnedProcess;
  #closed = false;

  constructor(init: { dir: string; port: number; certs: EnvCerts; binaries: KubeBinaries; etcd: OwnedProcess; apiserver: OwnedProcess }) {
    this.dir = init.dir;
    this.port = init.port;
    this.server = `https://127.0.0.1:${init.port}`;
    this.certs = init.certs;
    this.binaries = init.binaries;
    this.etcd = init.etcd;
    this.apiserver = init.apiserver;
    this.adminKubeconfig = join(init.dir, 'admin.kubeconfig');
  }

  /** A kubeconfig document (JSON, which is YAML) for this server and the given user. */
  kubeconfigText(user: Record<string, string>, namespace = 'default'): string {
    return JSON.stringify(
      {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'envtest', cluster: { server: this.server, 'certificate-authority-data': Buffer.from(this.certs.caPem).toString('base64') } }],
        users: [{ name: 'user', user }],
        contexts: [{ name: 'envtest', context: { cluster: 'envtest', user: 'user', namespace } }],
        'current-context': 'envtest',
      },
      null,
      2,
    );
  }

  /** Sends one request as cluster-admin; `body` objects are sent as JSON. */
  request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<ApiResponse> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        `${this.server}${path}`,
        {
          method,
          ca: this.certs.caPem,
          cert: this.certs.adminCertPem,
          key: this.certs.adminKeyPem,
          headers: { accept: 'application/json', ...(payload !== undefined ? { 'content-type': contentType } : {}) },
          timeout: 10_000,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => {
            let parsed: unknown = undefined;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              parsed = undefined;
            }
            resolve({ status: res.statusCode ?? 0, body: parsed, text });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** Runs the real kubectl against this server (as admin unless `kubeconfig` says otherwise). */
  kubectl(args: string[], options: { input?: string; kubeconfig?: string; cwd?: string } = {}): Promise<KubectlResult> {
    return new Promise((resolve) => {
      const child = execFile(
        this.binaries.kubectl,
        [`--kubeconfig=${options.kubeconfig ?? this.adminKubeconfig}`, `--cache-dir=${join(this.dir, 'kubectl-cache')}`, ...args],
        { cwd: options.cwd ?? process.cwd(), maxBuffer: 32 * 1024 * 1024, timeout: 60_000, env: { ...process.env, HOME: this.dir, KUBECONFIG: '' } },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
      if (options.input !== undefined) child.stdin?.end(options.input);
    });
  }

  /** Like kubectl() but throws with kubectl's output when it exits non-zero. */
  async kubectlOk(args: string[], options: { input?: string; kubeconfig?: string; cwd?: string } = {}): Promise<string> {
    const r = await this.kubectl(args, options);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr || r.stdout}`);
    return r.stdout;
  }

  /** Creates the namespace unless it exists. */
  async ensureNamespace(name: string): Promise<void> {
    const r = await this.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    if (r.status !== 201 && r.status !== 409) throw new Error(`creating namespace ${name}: ${r.status} ${r.text}`);
  }

  /** Creates the ServiceAccount (and its namespace) unless they exist. */
  async ensureServiceAccount(namespace: string, name: string): Promise<void> {
    await this.ensureNamespace(namespace);
    const r = await this.request('POST', `/api/v1/namespaces/${namespace}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } });
    if (r.status !== 201 && r.status !== 409) throw new Error(`creating serviceaccount ${namespace}/${name}: ${r.status} ${r.text}`);
  }

  /** A bound token for the ServiceAccount, from the TokenRequest API. */
  async serviceAccountToken(namespace: string, name: string, expirationSeconds = 3600): Promise<string> {
    const r = await this.request('POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds },
    });
    const token = (r.body as { status?: { token?: string } } | undefined)?.status?.token;
    if (r.status !== 201 || !token) throw new Error(`TokenRequest for ${namespace}/${name}: ${r.status} ${r.text}`);
    return token;
  }

  /** Writes a kubeconfig that authenticates as the ServiceAccount (created if needed); returns its path. */
  async serviceAccountKubeconfig(namespace: string, name: string): Promise<string> {
    await this.ensureServiceAccount(namespace, name);
    const token = await this.serviceAccountToken(namespace, name);
    const path = join(this.dir, `sa-${namespace}-${name}.kubeconfig`);
    await writeFile(path, this.kubeconfigText({ token }, namespace), { mode: 0o600 });
    return path;
  }

  /** Stops kube-apiserver and etcd and deletes the temporary directory. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.apiserver.stop();
    await this.etcd.stop();
    openDirs.delete(this.dir);
    if (process.env.FIRMWARDEN_KUBE_KEEP !== '1') await rm(this.dir, { recursive: true, force: true });
  }
}

async function waitFor(what: string, owner: OwnedProcess, deadline: number, probe: () => Promise<boolean>): Promise<void> {
  for (;;) {
    if (!owner.running) throw new Error(`${owner.name} exited while waiting for ${what}:\n${owner.tail()}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last output of ${owner.name}:\n${owner.tail()}`);
    await sleep(100);
  }
}

async function startEtcd(binaries: KubeBinaries, dir: string, deadline: number): Promise<{ etcd: OwnedProcess; clientUrl: string }> {
  for (let attempt = 1; ; attempt++) {
    const [clientPort, peerPort] = [await findFreePort(), await findFreePort()];
    const clientUrl = `http://127.0.0.1:${clientPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const etcd = new OwnedProcess('etcd', binaries.etcd, [
      '--name=envtest',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${clientUrl}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=envtest=${peerUrl}`,
      // Test data is thrown away: skipping fsync makes etcd fast on slow CI disks.
      '--unsafe-no-fsync',
      '--log-level=warn',
    ], join(dir, 'etcd.log'));
    try {
      await waitFor('etcd /health', etcd, deadline, async () => (await httpGet(`${clientUrl}/health`)).text.includes('"health":"true"'));
      return { etcd, clientUrl };
    } catch (error) {
      await etcd.stop();
      // Another process may have taken a port between picking and binding it.
      if (attempt < 3 && /address already in use/.test(etcd.tail())) {
        await rm(join(dir, 'etcd'), { recursive: true, force: true });
        continue;
      }
      throw error;
    }
  }
}

/** Starts etcd and kube-apiserver and waits until the API server is ready. */
export async function startKubeEnv(options: KubeEnvOptions = {}): Promise<KubeEnv> {
  const binaries = findKubeBinaries();
  const dir = await mkdtemp(join(tmpdir(), 'firmwarden-envtest-'));
  openDirs.add(dir);
  const deadline = Date.now() + (options.startTimeoutMs ?? 90_000);
  let etcd: OwnedProcess | undefined;
  let apiserver: OwnedProcess | undefined;
  try {
    await mkdir(join(dir, 'pki'));
    const certs = await createEnvCerts(join(dir, 'pki'));
    const started = await startEtcd(binaries, dir, deadline);
    etcd = started.etcd;
    const etcdUrl = started.clientUrl;
    for (let attempt = 1; ; attempt++) {
      const port = await findFreePort();
      apiserver = new OwnedProcess('kube-apiserver', binaries.apiserver, [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${port}`,
        `--tls-cert-file=${certs.serverCert}`,
        `--tls-private-key-file=${certs.serverKey}`,
        `--client-ca-file=${certs.caCert}`,
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${certs.serviceAccountPub}`,
        `--service-account-signing-key-file=${certs.serviceAccountKey}`,
        '--service-cluster-ip-range=10.0.0.0/24',
        '--authorization-mode=RBAC',
        // No kubelet or service network here; a loopback endpoint for the `kubernetes` Service is meaningless.
        '--endpoint-reconciler-type=none',
        '--profiling=false',
        ...(options.apiserverArgs ?? []),
      ], join(dir, 'kube-apiserver.log'));
      const env = new KubeEnv({ dir, port, certs, binaries, etcd, apiserver });
      try {
        await waitFor('kube-apiserver /readyz', apiserver, deadline, async () => (await env.request('GET', '/readyz')).status === 200);
        // The default namespace is made by a control loop inside the server, slightly after readiness.
        await waitFor('namespace default', apiserver, deadline, async () => (await env.request('GET', '/api/v1/namespaces/default')).status === 200);
        await writeFile(env.adminKubeconfig, env.kubeconfigText({
          'client-certificate-data': Buffer.from(certs.adminCertPem).toString('base64'),
          'client-key-data': Buffer.from(certs.adminKeyPem).toString('base64'),
        }), { mode: 0o600 });
        return env;
      } catch (error) {
        await apiserver.stop();
        if (attempt < 3 && /address already in use/.test(apiserver.tail())) continue;
        throw error;
      }
    }
  } catch (error) {
    await apiserver?.stop();
    await etcd?.stop();
    openDirs.delete(dir);
    if (process.env.FIRMWARDEN_KUBE_KEEP !== '1') await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
