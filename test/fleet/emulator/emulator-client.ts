// Plain-fetch helpers for the emulator tests: a token, then JSON calls against /beta.
import type { EmulatorHandle } from '../../../controller/fleet/emulator/emulator-options.ts';

/** Requests a client-credentials token; returns the raw response and its JSON. */
export async function requestToken(
  handle: EmulatorHandle,
  form: Record<string, string>,
  init: { headers?: Record<string, string>; tenant?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${handle.loginBaseUrl}/${init.tenant ?? handle.tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...init.headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A valid access token of the read-write app (or of the read-only app). */
export async function getToken(handle: EmulatorHandle, readOnly = false): Promise<string> {
  const { status, body } = await requestToken(handle, {
    grant_type: 'client_credentials',
    client_id: readOnly ? handle.readOnlyClientId : handle.clientId,
    client_secret: readOnly ? handle.readOnlyClientSecret : handle.clientSecret,
    scope: 'https://graph.microsoft.com/.default',
  });
  if (status !== 200) throw new Error(`token request failed with ${status}: ${JSON.stringify(body)}`);
  return body.access_token as string;
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** Calls the Graph surface: `path` is relative to /beta (or absolute). */
export async function graph(handle: EmulatorHandle, token: string | null, path: string, init: { method?: string; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(path.startsWith('http') ? path : `${handle.graphBaseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
}

/** POSTs updateSoftware. */
export function updateSoftware(handle: EmulatorHandle, token: string, deviceId: string, body: Record<string, unknown>): Promise<Answer> {
  return graph(handle, token, `/teamwork/devices/${deviceId}/updateSoftware`, { method: 'POST', body });
}

/** Follows @odata.nextLink (relative to /beta or absolute) until the last page. */
export async function listAll(handle: EmulatorHandle, token: string, first: string): Promise<{ items: any[]; pages: number; links: string[] }> {
  const items: any[] = [];
  const links: string[] = [];
  let next: string | undefined = first;
  let pages = 0;
  while (next) {
    const page = await graph(handle, token, next);
    if (page.status !== 200) throw new Error(`page ${pages} failed with ${page.status}: ${JSON.stringify(page.body)}`);
    items.push(...page.body.value);
    pages++;
    next = page.body['@odata.nextLink'];
    if (next) links.push(next);
  }
  return { items, pages, links };
}
