// Where the API server is and how to authenticate to it. Loading is delegated to
// @kubernetes/client-node's KubeConfig, which knows kubeconfig files, exec credential plugins
// and the in-cluster service-account token (re-read as the kubelet rotates it); the requests
// themselves go through our own client (kube-client.ts).
import type { RequestOptions } from 'node:https';

/** TLS material for one connection to the API server. */
export interface KubeTls {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  rejectUnauthorized?: boolean;
  servername?: string;
}

/** Credentials for the next request: headers (a bearer token) and TLS material. */
export interface KubeCredentials {
  headers: Record<string, string>;
  tls: KubeTls;
}

/** An API server and a way to authenticate to it. */
export interface KubeAccess {
  /** Base URL, for example https://10.0.0.1:443. */
  server: string;
  /** The namespace of the current context (or of the pod's service account), if any. */
  namespace: string | undefined;
  /** Credentials to use for the next request; called per request because tokens rotate. */
  authorize(): Promise<KubeCredentials>;
}

/** How to find the cluster: an explicit kubeconfig, the pod's service account, or the defaults. */
export interface KubeAccessOptions {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  inCluster?: boolean | undefined;
}

/** Raised when no usable cluster configuration was found. */
export class KubeConfigError extends Error {
  override name = 'KubeConfigError';
}

function pickTls(opts: RequestOptions): KubeTls {
  const tls: KubeTls = {};
  if (opts.ca !== undefined) tls.ca = opts.ca as string | Buffer;
  if (opts.cert !== undefined) tls.cert = opts.cert as string | Buffer;
  if (opts.key !== undefined) tls.key = opts.key as string | Buffer;
  if (opts.rejectUnauthorized !== undefined) tls.rejectUnauthorized = opts.rejectUnauthorized;
  if (opts.servername !== undefined) tls.servername = opts.servername;
  return tls;
}

function pickHeaders(opts: RequestOptions): Record<string, string> {
  const out: Record<string, string> = {};
  const headers = opts.headers;
  if (headers && !Array.isArray(headers)) {
    for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name.toLowerCase()] = String(value);
  }
  if (opts.auth) out.authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
  return out;
}

/** Loads cluster access from a kubeconfig file, the in-cluster service account, or the usual defaults. */
export async function loadKubeAccess(options: KubeAccessOptions = {}): Promise<KubeAccess> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  try {
    if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
    else if (options.inCluster) kc.loadFromCluster();
    else kc.loadFromDefault();
    if (options.context) kc.setCurrentContext(options.context);
  } catch (error) {
    throw new KubeConfigError(`cannot load the Kubernetes configuration: ${(error as Error).message}`, { cause: error });
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) throw new KubeConfigError('the Kubernetes configuration names no cluster server');
  const context = kc.getContextObject(kc.getCurrentContext());
  return {
    server: cluster.server.replace(/\/+$/, ''),
    namespace: context?.namespace?.trim() || undefined,
    async authorize() {
      const opts: RequestOptions = {};
      await kc.applyToHTTPSOptions(opts);
      return { headers: pickHeaders(opts), tls: pickTls(opts) };
    },
  };
}
