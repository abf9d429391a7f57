// One HTTP POST of a message to a receiver, its answer sorted into a closed union before anyone
// acts on it: delivered, worth retrying (network trouble, timeouts, 408, 425, 429, 5xx, with any
// Retry-After), or refused for good (a redirect, or any other 4xx: the URL is gone or the body
// is not accepted, and sending it again cannot help). The URL is a credential and is never put in a result.

/** How a delivery attempt ended. */
export type PostResult =
  | { readonly kind: 'delivered'; readonly status: number }
  | { readonly kind: 'retry'; readonly status: number | undefined; readonly retryAfterMs: number | undefined; readonly problem: string }
  | { readonly kind: 'refused'; readonly status: number; readonly problem: string };

/** Default: 10 s for the whole request, answer included. */
export const defaultPostTimeoutMs = 10_000;

/** Milliseconds from a Retry-After value (seconds, or an HTTP date relative to `now`), capped at an hour. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const ms = /^\d+$/.test(value.trim()) ? Number(value.trim()) * 1000 : Date.parse(value) - now;
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, 3_600_000) : undefined;
}

/** Posts `body` as JSON; never throws for what the receiver or the network does. */
export async function postJson(url: string, body: string, headers: Readonly<Record<string, string>>, options: { timeoutMs?: number; signal?: AbortSignal; now: number }): Promise<PostResult> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? defaultPostTimeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, signal, redirect: 'manual' });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    const problem = timeout.aborted ? 'no answer in time' : `cannot connect${cause ? ` (${cause})` : ''}`;
    return { kind: 'retry', status: undefined, retryAfterMs: undefined, problem };
  }
  // Read a little of the answer for the log and let the connection go.
  let text = '';
  try {
    const reader = response.body?.getReader();
    if (reader) {
      const first = await reader.read();
      if (first.value) text = Buffer.from(first.value).toString('utf8', 0, Math.min(first.value.byteLength, 300));
      await reader.cancel().catch(() => {});
    }
  } catch {
    // The status is what counts.
  }
  const status = response.status;
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  const problem = `HTTP ${status}${text ? `: ${text.replace(/\s+/g, ' ').trim().slice(0, 200)}` : ''}`;
  // A redirect is not followed: it would carry the body (and a signature) to another address.
  if (status >= 300 && status < 400) return { kind: 'refused', status, problem: `HTTP ${status}: redirects are not followed; use the final URL` };
  if (status === 408 || status === 425 || status === 429 || status >= 500) {
    return { kind: 'retry', status, retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), options.now), problem };
  }
  return { kind: 'refused', status, problem };
}
