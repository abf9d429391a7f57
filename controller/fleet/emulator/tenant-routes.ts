// Which tenant a control request is for: /_emulator/tenants/{tenantId}/… acts on that tenant,
// /_emulator/… on the first one (so single-tenant scripts keep working), and
// GET /_emulator/tenants lists every tenant with its credentials.
import { answerControl, type ControlAnswer } from './control-routes.ts';
import type { TenantList } from './emulator-options.ts';
import type { TenantDirectory } from './tenant-world.ts';

/** Answers one control request; `path` is what follows /_emulator. */
export async function answerTenantControl(
  tenants: TenantDirectory, list: () => TenantList, method: string, path: string, query: URLSearchParams, body: unknown,
): Promise<ControlAnswer> {
  const match = /^\/tenants(?:\/([^/]+))?(\/.*)?$/.exec(path.replace(/\/+$/, ''));
  if (!match) return answerControl(tenants.primary.control, method, path, query, body);
  const [, encodedId, rest] = match;
  if (encodedId === undefined) {
    if (method.toUpperCase() !== 'GET') return { status: 405, body: { error: 'the tenant list is read-only: GET /_emulator/tenants' } };
    return { status: 200, body: list() };
  }
  let tenantId: string;
  try {
    tenantId = decodeURIComponent(encodedId);
  } catch {
    return { status: 400, body: { error: `the tenant id in ${path} is not valid percent-encoding` } };
  }
  const world = tenants.find(tenantId);
  if (!world) return { status: 404, body: { error: `no tenant has id ${tenantId}; GET /_emulator/tenants lists them` } };
  return answerControl(world.control, method, rest ?? '/state', query, body);
}
