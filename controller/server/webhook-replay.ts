// Remembers the delivery ids of recent authenticated webhooks so that the same delivery sent
// again (a replay by someone who captured it, a sender's retry, GitHub's "Redeliver" button)
// has no second effect. GitHub's signature covers only the body, not a time or the id, so a
// captured request stays valid forever: remembering ids is the only defence the protocol leaves.
//
// Bounded both ways, whichever comes first: `maxEntries` ids (memory) and `maxAgeMs` (GitHub
// lets a delivery be redelivered for 3 days, so that is the default horizon). Age is measured
// with a monotonic clock by default: a wall clock stepped forward would forget ids early, and
// one stepped back would keep them too long.

/** The header that carries a sender's delivery id, in the order they are looked for. */
export const deliveryIdHeaders = [
  // GitHub; Gitea sends it too, with the same value as X-Gitea-Delivery.
  'x-github-delivery',
  'x-gitea-delivery',
  // GitLab: the same value on every retry of one hook execution (GitLab 17.4 and later).
  'idempotency-key',
  // GitLab: one per event. Not X-Gitlab-Webhook-UUID, which names the hook and repeats on every delivery.
  'x-gitlab-event-uuid',
] as const;

/** Longest delivery id remembered; GUIDs are 36 characters. */
export const maxDeliveryIdLength = 128;

/** The delivery id a request carries, `undefined` when none, or `invalid` when it is too long or empty. */
export function readDeliveryId(headers: Readonly<Record<string, string | string[] | undefined>>): { header: string; id: string } | 'invalid' | undefined {
  for (const name of deliveryIdHeaders) {
    const raw = headers[name];
    const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
    if (value === undefined) continue;
    if (value === '' || value.length > maxDeliveryIdLength) return 'invalid';
    return { header: name, id: value };
  }
  return undefined;
}

export interface RecentDeliveriesOptions {
  /** Ids kept at most; the oldest is forgotten first. Default: 1,000. */
  readonly maxEntries?: number;
  /** An id is forgotten this long after it was first accepted. Default: 72 h. */
  readonly maxAgeMs?: number;
  /** Monotonic milliseconds. Default: performance.now(). */
  readonly now?: () => number;
}

/** The ids of recently accepted deliveries; see the file comment. */
export class RecentDeliveries {
  readonly #maxEntries: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  // Insertion order is acceptance order, so the oldest id is always first.
  readonly #seen = new Map<string, number>();

  constructor(options: RecentDeliveriesOptions = {}) {
    this.#maxEntries = Math.max(1, options.maxEntries ?? 1_000);
    this.#maxAgeMs = options.maxAgeMs ?? 72 * 3_600_000;
    this.#now = options.now ?? (() => performance.now());
  }

  /** How many ids are remembered now. */
  get size(): number {
    this.#forgetExpired(this.#now());
    return this.#seen.size;
  }

  /**
   * Records `id` and answers true the first time; answers false (and changes nothing) while it is
   * remembered. Call it only for authenticated requests: a forged one must not use up an id.
   */
  remember(id: string): boolean {
    const now = this.#now();
    this.#forgetExpired(now);
    if (this.#seen.has(id)) return false;
    this.#seen.set(id, now);
    if (this.#seen.size > this.#maxEntries) this.#seen.delete(this.#seen.keys().next().value as string);
    return true;
  }

  #forgetExpired(now: number): void {
    for (const [id, at] of this.#seen) {
      if (now - at < this.#maxAgeMs) break;
      this.#seen.delete(id);
    }
  }
}
