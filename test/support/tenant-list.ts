// The tenant list a `firmwarden emulator --tenants N --tenants-out FILE` process writes once it
// serves, read by the multi-tenant tests as soon as it is there.
import { readFile } from 'node:fs/promises';
import { eventually } from '../kube/clients.ts';
import { tail, type Proc } from '../kube/controller-process.ts';

/** One emulated tenant as the list names it (the fields the tests use). */
export interface ListedTenant { readonly tenantId: string; readonly clientId: string; readonly clientSecret: string; readonly name: string }

/** The list `--tenants-out` wrote. */
export interface TenantList { readonly graphBaseUrl: string; readonly loginBaseUrl: string; readonly tenants: readonly ListedTenant[] }

/** Waits for `emulator` to write its tenant list to `file` and reads it (the emulator's output on a timeout). */
export function readTenantList(emulator: Proc, file: string): Promise<TenantList> {
  return eventually(`the tenant list\n${tail(emulator)}`, async () => {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as TenantList;
    } catch {
      return undefined;
    }
  });
}
