// The emulator's HTTP plumbing on node:http: loopback checks, bounded body reading, JSON and
// Graph answers with their request ids, and a delay that gives up when the emulator closes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphAnswer } from './graph-errors.ts';

/** Largest request body read: 4 MiB; a larger one is answered 413. */
export const maxBodyBytes = 4 * 1024 * 1024;

/** True for names and addresses of the local host only. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** True when the peer of a connection is on this host. */
export function isLoopbackPeer(address: string | undefined): boolean {
  return address !== undefined && (address === '::1' || /^(::ffff:)?127\./.test(address));
}

/** A body over maxBodyBytes: the request is answered 413. */
export class BodyTooLarge extends Error {}

/** Reads a request body as UTF-8; rejects with BodyTooLarge (and drops the connection) past maxBodyBytes. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        reject(new BodyTooLarge());
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Answers with a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

/** Writes a Graph answer with Graph's request-id and client-request-id headers. */
export function writeAnswer(res: ServerResponse, answer: GraphAnswer, requestId: string, clientRequestId: string | undefined): void {
  const headers: Record<string, string> = { ...answer.headers, 'request-id': requestId, 'client-request-id': clientRequestId ?? requestId };
  if (answer.body === undefined) {
    res.writeHead(answer.status, { ...headers, 'Content-Length': '0' });
    res.end();
  } else {
    const text = JSON.stringify(answer.body);
    res.writeHead(answer.status, { ...headers, 'Content-Length': String(Buffer.byteLength(text)) });
    res.end(text);
  }
}

/** Waits `ms` of real time; rejects as soon as `signal` aborts (the emulator closing). */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('emulator closing'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('emulator closing'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
