// What can go wrong before Graph answers at all (timeout, refused, reset), reading an answer's
// body without holding more than a bound in memory, and the moment a request leaves. Used by
// graph-http.ts.
//
// The moment a request leaves: Node's fetch (undici) publishes `undici:client:sendHeaders` on
// node:diagnostics_channel as it writes a request's headers to the socket, with the request's
// own headers. Each attempt carries its own `client-request-id`, and `watchSend` calls back when
// the request with that id is written. One subscription while anything is watched; the
// watcher's entry goes when its caller stops watching (when fetch settles).
import { subscribe, unsubscribe } from 'node:diagnostics_channel';

/** A failure before any response: timed out, refused, reset. `maybeSent` is false only when the connection was refused. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  readonly timedOut: boolean;
  readonly maybeSent: boolean;
  /** The attempt's client-request-id header (Graph support finds a request by it). */
  readonly clientRequestId: string | undefined;
  constructor(message: string, timedOut: boolean, maybeSent: boolean, cause: unknown, clientRequestId?: string) {
    super(message, { cause });
    this.timedOut = timedOut;
    this.maybeSent = maybeSent;
    this.clientRequestId = clientRequestId;
  }
}

/** Errors that prove the request never left this machine. */
export const notSentCodes: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** The first `code` string on an error or its causes (undici wraps ECONNREFUSED and friends). */
export function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The body as text; throws when it grows past `maxBytes` (the rest is not read). */
export async function readBounded(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new Error(`response body larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const sendHeadersChannel = 'undici:client:sendHeaders';
/** Callbacks by client-request-id (lower case), one per request in flight. */
const watched = new Map<string, () => void>();

/** The client-request-id among a sendHeaders message's request headers (a flat [name, value, …] array). */
export function clientRequestIdOf(message: unknown): string | undefined {
  const headers = (message as { request?: { headers?: unknown } } | undefined)?.request?.headers;
  if (!Array.isArray(headers)) return undefined;
  for (let i = 0; i + 1 < headers.length; i += 2) {
    if (String(headers[i]).toLowerCase() === 'client-request-id') return String(headers[i + 1]).toLowerCase();
  }
  return undefined;
}

function onSendHeaders(message: unknown): void {
  if (watched.size === 0) return;
  const id = clientRequestIdOf(message);
  if (id !== undefined) watched.get(id)?.();
}

/**
 * Calls `onSent` when fetch writes the headers of the request whose `client-request-id` is
 * `id` (it may never: another transport, or a failure before sending). Returns the function
 * that stops watching; call it when fetch settles.
 */
export function watchSend(id: string, onSent: () => void): () => void {
  const key = id.toLowerCase();
  if (watched.size === 0) subscribe(sendHeadersChannel, onSendHeaders);
  watched.set(key, onSent);
  return () => {
    if (watched.get(key) !== onSent) return;
    watched.delete(key);
    if (watched.size === 0) unsubscribe(sendHeadersChannel, onSendHeaders);
  };
}

/** Requests being watched now (tests check that none is left behind). */
export function watchedSends(): number {
  return watched.size;
}
