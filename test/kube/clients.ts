// Test helpers: a KubeClient for a kubeconfig the harness wrote, loaded the way the
// controller loads its own configuration.
import { loadKubeAccess } from '../../controller/kube/kube-access.ts';
import { KubeClient } from '../../controller/kube/kube-client.ts';

/** A client authenticated by the given kubeconfig file. */
export async function clientFor(kubeconfig: string): Promise<KubeClient> {
  return new KubeClient(await loadKubeAccess({ kubeconfig }), { timeoutMs: 10_000 });
}

/** Polls `probe` every 50 ms until it returns a value other than undefined, or fails after `limitMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, limitMs = 20_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Applies crds/ with kubectl and waits until all three are Established. */
export async function installCrds(env: { kubectlOk(args: string[], options?: { cwd?: string }): Promise<string> }): Promise<void> {
  const root = new URL('../..', import.meta.url).pathname;
  await env.kubectlOk(['apply', '-f', 'crds/'], { cwd: root });
  await env.kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', 'crd/devicegroups.firmwarden.dev', 'crd/updatepolicies.firmwarden.dev', 'crd/scheduledupdates.firmwarden.dev']);
}
