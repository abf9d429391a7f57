// Reads one key of a Secret, for NotificationChannels whose secretRef names a Secret (name and
// key) of their namespace. Read at each send, never cached, never logged. Needs `get` on that
// Secret (examples/deploy/20-rbac-controller.yaml says how to grant it).
import type { KubeClient } from './kube-client.ts';
import { isNotFound } from './kube-error.ts';

/** The key's value, decoded from base64; undefined when the Secret or the key does not exist. Other API errors are thrown. */
export async function readSecretKey(client: KubeClient, namespace: string, name: string, key: string): Promise<string | undefined> {
  let secret: { data?: Record<string, string> };
  try {
    secret = await client.request<{ data?: Record<string, string> }>({ path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}` });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  const value = secret.data?.[key];
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
}
