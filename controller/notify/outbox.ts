// Which rule gets which event, and the outbox of messages waiting for their channel. PURE.
//
// Grouping: the events one reconcile finds for one rule become ONE message (200 failures are
// one card, not 200). While a channel cannot be reached, later events for the rule join the
// message that has not been tried yet, never one that has (its receiver may already have it
// under its delivery id), so a rule has at most two messages waiting. The outbox is bounded:
// past maxOutbox messages the oldest are dropped, and said to be.
import { createHash } from 'node:crypto';
import type { NotificationEvent, NotificationEventType, PendingNotification } from '../model/notification-events.ts';

/** At most this many events are carried by one message; more are counted in `omitted`. */
export const maxEventsPerMessage = 25;
/** At most this many messages wait in the outbox. */
export const maxOutbox = 200;

/** A NotificationRule as the router needs it. */
export interface RouteRule {
  /** `namespace/name`. */
  readonly key: string;
  /** `namespace/name` of its channel. */
  readonly channel: string;
  readonly events: readonly NotificationEventType[];
  /** Names; empty lists (both) mean every event of the namespace. */
  readonly groups: readonly string[];
  readonly policies: readonly string[];
  readonly suspended: boolean;
}

/** True when `rule` asks for `event`: its type, its namespace, and (if the rule names any) one of its groups or policies. */
export function matches(rule: RouteRule, event: NotificationEvent): boolean {
  if (rule.suspended || !rule.events.includes(event.type)) return false;
  if (event.subject.slice(0, event.subject.indexOf('/')) !== rule.key.slice(0, rule.key.indexOf('/'))) return false;
  if (rule.groups.length === 0 && rule.policies.length === 0) return true;
  return event.groups.some((g) => rule.groups.includes(g)) || event.policies.some((p) => rule.policies.includes(p));
}

/** The outbox after adding this reconcile's events, and how many messages fell off its end. */
export function enqueue(outbox: readonly PendingNotification[], events: readonly NotificationEvent[], rules: readonly RouteRule[], now: number): { outbox: PendingNotification[]; dropped: PendingNotification[] } {
  const next = [...outbox];
  for (const rule of rules) {
    const mine = events.filter((e) => matches(rule, e));
    if (mine.length === 0) continue;
    const open = next.findIndex((m) => m.rule === rule.key && m.channel === rule.channel && m.attempts === 0);
    if (open >= 0) {
      const m = next[open]!;
      const room = Math.max(0, maxEventsPerMessage - m.events.length);
      next[open] = { ...m, events: [...m.events, ...mine.slice(0, room)], omitted: m.omitted + Math.max(0, mine.length - room) };
    } else {
      next.push({
        id: deliveryId(rule.key, mine, now),
        rule: rule.key,
        channel: rule.channel,
        createdAt: now,
        attempts: 0,
        events: mine.slice(0, maxEventsPerMessage),
        omitted: Math.max(0, mine.length - maxEventsPerMessage),
      });
    }
  }
  const dropped = next.length > maxOutbox ? next.splice(0, next.length - maxOutbox) : [];
  return { outbox: next, dropped };
}

/** A delivery id that does not depend on where the message is created (a replica, a restart). */
function deliveryId(rule: string, events: readonly NotificationEvent[], now: number): string {
  const h = createHash('sha256').update(rule).update('\n').update(String(now));
  for (const e of events) h.update('\n').update(e.key);
  return h.digest('hex').slice(0, 32);
}

/** How a channel is doing: not persisted, a restart tries at once. */
export interface ChannelHealth {
  /** Failed deliveries in a row. */
  readonly failures: number;
  /** No delivery before this time (back-off, Retry-After, or the spacing after a success). */
  readonly notBefore: number;
}

/** Back-off and spacing; every value states its default in defaultDeliveryPolicy. */
export interface DeliveryPolicy {
  /** Wait after the first failure; doubled after each further one. */
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Time between two messages to one channel (rate limit). */
  readonly spacingMs: number;
  /** A message older than this is dropped instead of tried again. */
  readonly maxAgeMs: number;
}

/** 5 s doubling to 10 min, one message per channel per second, given up after 24 h. */
export const defaultDeliveryPolicy: DeliveryPolicy = { initialBackoffMs: 5_000, maxBackoffMs: 10 * 60_000, spacingMs: 1_000, maxAgeMs: 24 * 3_600_000 };

/** The wait after `failures` failures in a row, with jitter in [0.8, 1.2) from `random` in [0, 1). */
export function backoffMs(failures: number, policy: DeliveryPolicy, random: number): number {
  const base = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** Math.max(0, failures - 1));
  return Math.round(base * (0.8 + 0.4 * random));
}

/** The first message whose channel may be sent to at `now`, in outbox order, or when the next one may. */
export function nextDue(outbox: readonly PendingNotification[], health: ReadonlyMap<string, ChannelHealth>, now: number): { due: PendingNotification } | { wakeAt: number | undefined } {
  let wakeAt: number | undefined;
  const blocked = new Set<string>();
  for (const m of outbox) {
    // One channel's messages go out in order: a later one never overtakes one being retried.
    if (blocked.has(m.channel)) continue;
    const notBefore = health.get(m.channel)?.notBefore ?? 0;
    if (notBefore <= now) return { due: m };
    blocked.add(m.channel);
    wakeAt = wakeAt === undefined ? notBefore : Math.min(wakeAt, notBefore);
  }
  return { wakeAt };
}
