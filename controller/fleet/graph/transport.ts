// What can go wrong before Graph answers at all (timeout, refused, reset), and reading an
// answer's body without holding more than a bound in memory. Used by graph-http.ts.
/** A failure before any response: timed out, refused, reset. `maybeSent` is false only when the connection was refused. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  readonly timedOut: boolean;
  readonly maybeSent: boolean;
  constructor(message: string, timedOut: boolean, maybeSent: boolean, cause: unknown) {
    super(message, { cause });
    this.timedOut = timedOut;
    this.maybeSent = maybeSent;
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
