// Following @odata.nextLink to the end of a collection. The link already carries every query
// option, so it is requested as is (only resolved against the base when relative).
import { FleetError } from '../../model/fleet.ts';
import type { GraphHttp } from './graph-http.ts';
import { fleetErrorFromResponse } from './graph-error.ts';
import { asObject } from './wire-values.ts';

/** The largest page the device and operation lists serve (documented). */
export const maxPageSize = 50;

export interface Page {
  readonly items: readonly unknown[];
  readonly nextLink: string | undefined;
}

/** Reads a collection page: `value` must be an array. */
export function readPage(body: unknown): Page | undefined {
  const object = asObject(body);
  const value = object?.['value'];
  if (!Array.isArray(value)) return undefined;
  const next = object?.['@odata.nextLink'];
  return { items: value, nextLink: typeof next === 'string' && next.length > 0 ? next : undefined };
}

/** Calls `onItems` for each page of a collection, from `firstUrl` to the last page. */
export async function forEachPage(
  http: GraphHttp,
  firstUrl: string,
  what: string,
  onItems: (items: readonly unknown[]) => void,
  signal?: AbortSignal,
  options: { maxPages?: number } = {},
): Promise<{ pages: number }> {
  const seen = new Set<string>();
  const maxPages = options.maxPages ?? 100_000;
  let url: string | undefined = firstUrl;
  let pages = 0;
  while (url !== undefined) {
    if (seen.has(url) || pages >= maxPages) {
      // A server that hands back the same link forever must not keep us here.
      throw new FleetError(`${what}: paging does not end (link repeated or more than ${maxPages} pages)`, { retryable: true, code: 'pagingLoop' });
    }
    seen.add(url);
    const response = await http.send({ method: 'GET', url, idempotent: true, what }, signal);
    if (response.status !== 200) throw fleetErrorFromResponse(what, response);
    const page = readPage(response.body);
    if (!page) throw new FleetError(`${what}: response is not a collection`, { retryable: true, status: 200, code: 'invalidResponse' });
    pages++;
    onItems(page.items);
    url = page.nextLink;
  }
  return { pages };
}
