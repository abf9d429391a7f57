// The harness itself: a real etcd + kube-apiserver start, answer kubectl, enforce RBAC for a
// ServiceAccount token, and leave nothing running after close().
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { startKubeEnv, type KubeEnv } from './envtest.ts';
import { findKubeBinaries, KubeBinariesMissing } from './envtest-binaries.ts';

const harness = suite<{ env: KubeEnv | undefined }>('envtest', { env: undefined });

harness.before(async (ctx) => {
  ctx.env = await startKubeEnv();
});
harness.after(async (ctx) => {
  await ctx.env?.close();
});

harness('kubectl version reports the server the harness built', async ({ env }) => {
  const out = JSON.parse(await env!.kubectlOk(['version', '-o', 'json'])) as { serverVersion?: { gitVersion?: string; major?: string } };
  assert.match(out.serverVersion?.gitVersion ?? '', /^v1\.\d+\.\d+/);
  assert.is(out.serverVersion?.major, '1');
});

harness('kubectl get ns lists the namespaces the server bootstraps', async ({ env }) => {
  const names = (await env!.kubectlOk(['get', 'ns', '-o', 'name'])).split('\n');
  assert.ok(names.includes('namespace/default'), names.join(','));
  assert.ok(names.includes('namespace/kube-system'), names.join(','));
});

harness('a ServiceAccount token authenticates and RBAC denies it by default', async ({ env }) => {
  const kubeconfig = await env!.serviceAccountKubeconfig('envtest-sa', 'nobody');
  const who = await env!.kubectl(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'], { kubeconfig });
  assert.is(who.stdout, 'system:serviceaccount:envtest-sa:nobody', who.stderr);
  const denied = await env!.kubectl(['get', 'secrets', '-n', 'kube-system'], { kubeconfig });
  assert.is.not(denied.code, 0);
  assert.match(denied.stderr, /forbidden/);
});

harness('close() stops both processes and removes the temporary directory', async (ctx) => {
  const env = ctx.env!;
  const dir = env.dir;
  await env.close();
  ctx.env = undefined;
  assert.is(env.apiserver.running, false);
  assert.is(env.etcd.running, false);
  assert.is(existsSync(dir), false);
});

harness.run();

const binaries = suite('envtest binaries');

binaries('missing binaries fail with instructions to run scripts/provision-kube.sh', () => {
  try {
    findKubeBinaries({ FIRMWARDEN_CACHE: '/nonexistent/firmwarden-cache' });
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.instance(error, KubeBinariesMissing);
    assert.match((error as Error).message, /scripts\/provision-kube\.sh/);
    assert.match((error as Error).message, /FIRMWARDEN_KUBE_APISERVER/);
  }
});

binaries.run();
