// Checks a webhook request against the shared secret, in constant time: GitHub's (and Gitea's)
// `X-Hub-Signature-256: sha256=<hex HMAC of the body>`, or the secret itself in
// `X-Firmwarden-Token` (GitLab sends it as `X-Gitlab-Token`). Pure: headers and body in, verdict out.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type WebhookVerdict =
  | { readonly ok: true; readonly method: 'signature' | 'token' }
  | { readonly ok: false; readonly reason: 'missing' | 'mismatch' | 'malformed' };

/** Compares two strings without leaking where they differ (both hashed first, so lengths match). */
export function isEqualConstantTime(a: string | Buffer, b: string | Buffer): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

function header(headers: Readonly<Record<string, string | string[] | undefined>>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The X-Hub-Signature-256 value a sender with `secret` puts on `body`. */
export function signWebhookBody(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Verifies a request; `headers` are Node's (lower-case names). */
export function verifyWebhook(headers: Readonly<Record<string, string | string[] | undefined>>, body: Buffer, secret: string): WebhookVerdict {
  const signature = header(headers, 'x-hub-signature-256');
  if (signature !== undefined) {
    if (!/^sha256=[0-9a-fA-F]{64}$/.test(signature)) return { ok: false, reason: 'malformed' };
    return isEqualConstantTime(signature.toLowerCase(), signWebhookBody(secret, body)) ? { ok: true, method: 'signature' } : { ok: false, reason: 'mismatch' };
  }
  const token = header(headers, 'x-firmwarden-token') ?? header(headers, 'x-gitlab-token');
  if (token !== undefined) {
    return isEqualConstantTime(token, secret) ? { ok: true, method: 'token' } : { ok: false, reason: 'mismatch' };
  }
  return { ok: false, reason: 'missing' };
}

/** The branch a push event names (`refs/heads/<branch>`), when the body is such a JSON event. */
export function readPushedBranch(body: Buffer, contentType: string | undefined): string | undefined {
  if (body.length === 0) return undefined;
  let text = body.toString('utf8');
  // GitHub can send application/x-www-form-urlencoded with the JSON in `payload`.
  if (contentType?.startsWith('application/x-www-form-urlencoded')) text = new URLSearchParams(text).get('payload') ?? '';
  try {
    const event = JSON.parse(text) as { ref?: unknown };
    return typeof event.ref === 'string' && event.ref.startsWith('refs/heads/') ? event.ref.slice('refs/heads/'.length) : undefined;
  } catch {
    return undefined;
  }
}
