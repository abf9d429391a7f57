// Signing of generic webhook requests, and the check a receiver makes. Pure (hashing only).
//
// Every request carries:
//   X-Firmwarden-Delivery:  the message's delivery id (the same on every retry)
//   X-Firmwarden-Timestamp: when this attempt was sent, in seconds since the epoch
//   X-Firmwarden-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with the key>
// A receiver recomputes the HMAC over the raw bytes it received, compares in constant time,
// rejects a timestamp more than five minutes from its clock, and remembers the delivery ids of
// the last five minutes to drop a replay (or a retry of a message it already has). The timestamp
// is inside the signed text, so a captured request cannot be replayed later with a new one.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const deliveryHeader = 'x-firmwarden-delivery';
export const timestampHeader = 'x-firmwarden-timestamp';
export const signatureHeader = 'x-firmwarden-signature';
/** How far a receiver should accept a timestamp from its own clock. */
export const toleranceSeconds = 300;

/** `sha256=` and the hex HMAC-SHA256 of `${timestamp}.${body}`. */
export function signBody(key: string, timestamp: number, body: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', key).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/** Why a signed request is refused, or undefined when it is genuine and fresh (the receiver's side). */
export function verifySignature(key: string, headers: { timestamp: string | undefined; signature: string | undefined }, body: string | Uint8Array, nowSeconds: number): string | undefined {
  if (headers.timestamp === undefined || !/^\d{1,12}$/.test(headers.timestamp)) return 'missing or malformed timestamp';
  const timestamp = Number(headers.timestamp);
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return 'timestamp outside the tolerance (a replay or a wrong clock)';
  if (headers.signature === undefined) return 'missing signature';
  const expected = Buffer.from(signBody(key, timestamp, body));
  const given = Buffer.from(headers.signature);
  return given.length === expected.length && timingSafeEqual(given, expected) ? undefined : 'signature does not match';
}
