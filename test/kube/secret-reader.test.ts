// A NotificationChannel's Secret (name and key) read from a real API server: the value decoded,
// a missing key or Secret as nothing, a ServiceAccount without `get` refused — and through
// readSecretRef, errors that name the channel field and the Secret, never the value.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readSecretKey } from '../../controller/kube/secret-reader.ts';
import { readSecretRef, SecretRefError } from '../../controller/notify/secret-ref.ts';
import type { KubeClient } from '../../controller/kube/kube-client.ts';
import { startKubeEnv, type KubeEnv } from './envtest.ts';
import { clientFor } from './clients.ts';

type Ctx = { env: KubeEnv | undefined; client: KubeClient | undefined };
const secrets = suite<Ctx>('Secrets of NotificationChannels against kube-apiserver', { env: undefined, client: undefined });
const url = 'https://prod-01.example.invalid/workflows/abc/triggers/manual/paths/invoke?sig=s3cr3t';

secrets.before(async (ctx) => {
  ctx.env = await startKubeEnv();
  await ctx.env.ensureNamespace('rooms');
  await ctx.env.kubectlOk(['create', 'secret', 'generic', 'teams-webhook', '-n', 'rooms', `--from-literal=url=${url}\n`]);
  ctx.client = await clientFor(ctx.env.adminKubeconfig);
});
secrets.after(async (ctx) => {
  ctx.client?.close();
  await ctx.env?.close();
});

secrets('a key is read and decoded; a missing key or Secret is nothing', async ({ client }) => {
  assert.is(await readSecretKey(client!, 'rooms', 'teams-webhook', 'url'), `${url}\n`);
  assert.is(await readSecretKey(client!, 'rooms', 'teams-webhook', 'nope'), undefined);
  assert.is(await readSecretKey(client!, 'rooms', 'no-such-secret', 'url'), undefined);
  assert.is(await readSecretKey(client!, 'default', 'teams-webhook', 'url'), undefined, 'only in the channel\'s namespace');
});

secrets('through readSecretRef: the value trimmed; errors name the field and the Secret, never the value', async ({ env, client }) => {
  const sources = { env: {}, kubeSecret: (ns: string, name: string, key: string) => readSecretKey(client!, ns, name, key) };
  const where = 'NotificationChannel rooms/ops spec.secretRef';
  assert.is(await readSecretRef({ name: 'teams-webhook', key: 'url' }, 'rooms', where, sources), url);
  const missing = await readSecretRef({ name: 'teams-webhook', key: 'address' }, 'rooms', where, sources).catch((e: unknown) => e);
  assert.instance(missing, SecretRefError);
  assert.is((missing as Error).message, `${where}: the Secret rooms/teams-webhook has no key address`);
  // A ServiceAccount that was not granted `get` on the Secret.
  const limited = await clientFor(await env!.serviceAccountKubeconfig('rooms', 'firmwarden'));
  try {
    const denied = await readSecretRef({ name: 'teams-webhook', key: 'url' }, 'rooms', where, { env: {}, kubeSecret: (ns, name, key) => readSecretKey(limited, ns, name, key) }).catch((e: unknown) => e);
    assert.instance(denied, SecretRefError);
    assert.match((denied as Error).message, `${where}: cannot read key url of the Secret rooms/teams-webhook`);
    assert.not.match((denied as Error).message, 's3cr3t');
  } finally {
    limited.close();
  }
});

secrets.run();
