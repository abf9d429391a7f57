// Where each tenant's state lives, so it moves with the tenant: a file per tenant beside the
// state file (`<--state>.d/<namespace>.json`), or a ConfigMap per tenant in Kubernetes
// (`<--state-configmap>-<namespace>`, default firmwarden-state-<namespace>), which is what a
// replica taking a tenant's shard over reads. Namespaces are DNS labels (at most 63 characters
// of a-z, 0-9 and -), so both names are always valid. Pure.
import { join } from 'node:path';

/** The state file of the tenant of `namespace`, given the run's --state file. */
export function tenantStatePath(statePath: string, namespace: string): string {
  return join(`${statePath}.d`, `${namespace}.json`);
}

/** The state ConfigMap of the tenant of `namespace`, given the run's --state-configmap name. */
export function tenantStateConfigMap(base: string, namespace: string): string {
  return `${base}-${namespace}`;
}
