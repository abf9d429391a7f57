// The notifier: finds the rollout events of each reconcile (derive-events.ts), queues them per
// NotificationRule (outbox.ts) and delivers them to their channels off the reconcile path, with
// back-off for a receiver that is down.
//
// Memory and outbox live in the controller state (ControllerState.notifications), so a restart or
// another replica taking over neither repeats an event nor loses a message waiting to be sent.
// The state has two writers, the reconcile and the sender; wrapStore() gives the reconcile a
// StateStore through which every save carries the notifier's current memory and every save is
// serialised, so neither overwrites the other's part.
//
// What "exactly once" means here: an event is queued once (memory and outbox are saved in one
// write). A message is sent until a receiver answers 2xx; if the process dies after the
// receiver took it but before the outbox was saved, it is sent again after the restart with the
// same delivery id (X-Firmwarden-Delivery, the webhook body's id), which a receiver can use to
// drop the repeat. Teams and Slack cannot, so that window is kept to one state write.
import type { Clock } from '../model/clock.ts';
import { SerialQueue } from '../model/serial-queue.ts';
import type { Logger } from '../log/logger.ts';
import type { ControllerState, StateStore } from '../model/state.ts';
import type { NotificationEvent, NotificationMemory, PendingNotification } from '../model/notification-events.ts';
import { channelRequest } from './channel-request.ts';
import { deriveEvents, emptyMemory, type ReconcileFacts } from './derive-events.ts';
import { readConfig, restoreMemory, type ChannelConfig, type NotifyManifest } from './notifier-inputs.ts';
import { backoffMs, defaultDeliveryPolicy, enqueue, nextDue, type ChannelHealth, type DeliveryPolicy, type RouteRule } from './outbox.ts';
import type { LinkTemplates } from './render.ts';
import { SecretRefError, type SecretSources } from './secret-ref.ts';
import { postJson, type PostResult } from './post-json.ts';
import type { ReconcileObservation } from '../model/reconcile.ts';
import { deviceLabel } from '../status/people-fields.ts';

/** How the notifier reaches time, logs, secrets and receivers. */
export interface NotifierOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where the live view and the config repository are, for the links in messages. */
  readonly links: LinkTemplates;
  readonly secrets: SecretSources;
  /** Back-off and spacing. Default: defaultDeliveryPolicy (5 s doubling to 10 min, 1 s between messages to a channel, 24 h). */
  readonly delivery?: Partial<DeliveryPolicy>;
  /** Time one request may take. Default: 10 s. */
  readonly requestTimeoutMs?: number;
  /** Jitter source in [0, 1). Default: Math.random. */
  readonly random?: () => number;
}

/** Finds, queues and delivers notifications; see the file comment. */
export class Notifier {
  readonly #o: NotifierOptions;
  readonly #log: Logger;
  readonly #delivery: DeliveryPolicy;
  /** Undefined until the state is loaded; then the memory, or emptyMemory when none was kept. */
  #memory: NotificationMemory | undefined;
  /** True while no observation was ever kept: the next one is a baseline. */
  #first = true;
  #channels = new Map<string, ChannelConfig>();
  #rules: RouteRule[] = [];
  #configured = false;
  #orphans = new Set<string>();
  readonly #health = new Map<string, ChannelHealth>();
  #inner: StateStore | undefined;
  #lastState: ControllerState | undefined;
  readonly #saves = new SerialQueue();
  #wake: AbortController = new AbortController();

  constructor(options: NotifierOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'notify' });
    this.#delivery = { ...defaultDeliveryPolicy, ...options.delivery };
  }

  /** The messages waiting, oldest first (for tests and metrics). */
  get outbox(): readonly PendingNotification[] {
    return this.#memory?.outbox ?? [];
  }

  /** `inner` with the notifier's memory saved in every state and saves serialised; use it for the reconcile. */
  wrapStore(inner: StateStore): StateStore {
    this.#inner = inner;
    return {
      load: async () => {
        const state = await inner.load();
        const memory = restoreMemory(state.notifications);
        if (state.notifications !== undefined && memory === undefined) this.#log.warn('the notification memory in the state is not understood; starting afresh (events now true are not announced)');
        this.#memory = memory ?? emptyMemory;
        this.#first = memory === undefined;
        this.#lastState = state;
        return state;
      },
      save: (state) => {
        this.#lastState = state;
        return this.#serialise(() => inner.save(this.#withMemory(state)));
      },
    };
  }

  #withMemory(state: ControllerState): ControllerState {
    const { notifications: _old, ...rest } = state;
    // No rule has ever existed: nothing to remember (a rule added later starts from a baseline).
    return this.#first || this.#memory === undefined ? rest : { ...rest, notifications: this.#memory };
  }

  #serialise(save: () => Promise<void>): Promise<void> {
    return this.#saves.run(save);
  }

  /**
   * Takes one reconcile's facts: finds new events and queues them for the rules that ask for
   * them. Synchronous and without I/O: the memory is saved by the reconcile's next state save,
   * the sending happens in run(). `complete` false (the fleet view is still being read) skips
   * the observation, which would otherwise take devices not read yet for news.
   */
  observe(facts: ReconcileFacts, manifests: readonly NotifyManifest[], complete: boolean): void {
    const config = readConfig(manifests);
    this.#channels = config.channels;
    this.#rules = config.rules;
    this.#configured = true;
    // Said once per rule and channel, not at every reconcile.
    const orphans = new Set(config.rules.filter((r) => !config.channels.has(r.channel)).map((r) => `${r.key}>${r.channel}`));
    for (const orphan of orphans) {
      const [rule, channel] = orphan.split('>');
      if (!this.#orphans.has(orphan)) this.#log.warn({ rule, channel }, 'notification rule names no valid NotificationChannel; its events are not sent');
    }
    this.#orphans = orphans;
    if (this.#memory === undefined || !complete) return;
    if (config.rules.length === 0 && this.#first) return;
    const { events, memory } = deriveEvents(facts, this.#memory, this.#first);
    const queued = enqueue(memory.outbox, events, config.rules.filter((r) => config.channels.has(r.channel)), facts.now);
    for (const m of queued.dropped) this.#log.error({ rule: m.rule, channel: m.channel, id: m.id, events: m.events.length + m.omitted }, 'notification outbox full: the oldest message was dropped unsent');
    if (this.#first) this.#log.info({ conditions: Object.keys(memory.seen).length }, 'notifications start now: what is already true is recorded, not announced');
    else if (events.length > 0) this.#log.info({ events: events.length, queued: queued.outbox.length }, 'rollout events found');
    this.#memory = { ...memory, outbox: queued.outbox };
    this.#first = false;
    this.#wake.abort();
  }

  /** observe() with what a reconcile evaluated (ReconcilerPorts.observe); an engine that gave no plan is skipped. */
  observeReconcile(o: ReconcileObservation): void {
    if (o.plan === undefined) return;
    const byId = new Map(o.fleet.devices.map((d) => [d.id, d]));
    const facts: ReconcileFacts = { now: o.now, plan: o.plan, statuses: o.statuses, ledger: o.ledger, deviceLabel: (id) => deviceLabel(id, byId.get(id)) };
    this.observe(facts, o.manifests, o.complete);
  }

  /** Delivers the first message that is due, if any; `wakeAt` says when the next one may be. */
  async sendDue(signal?: AbortSignal): Promise<{ sent: boolean; wakeAt: number | undefined }> {
    if (this.#memory === undefined || !this.#configured) return { sent: false, wakeAt: undefined };
    const now = this.#o.clock.now();
    const next = nextDue(this.#memory.outbox, this.#health, now);
    if (!('due' in next)) return { sent: false, wakeAt: next.wakeAt };
    await this.#deliver(next.due, now, signal);
    return { sent: true, wakeAt: undefined };
  }

  /** Sends until `signal` aborts, sleeping until a message is due or a reconcile queues one. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        // A fresh wake-up before looking: a reconcile queuing a message while we look wakes the sleep below.
        if (this.#wake.signal.aborted) this.#wake = new AbortController();
        const { sent, wakeAt } = await this.sendDue(signal);
        if (sent) continue;
        const until = AbortSignal.any([signal, this.#wake.signal]);
        // Nothing waiting: sleep on the wake-up alone, never on the clock (a test's manual clock
        // moving to its next sleeper would otherwise jump to this one).
        if (wakeAt === undefined) await new Promise<void>((resolve) => (until.aborted ? resolve() : until.addEventListener('abort', () => resolve(), { once: true })));
        else await this.#o.clock.sleep(Math.max(0, wakeAt - this.#o.clock.now()), until).catch(() => {});
      } catch (error) {
        // A bug here must not end the controller; the reconcile goes on regardless.
        this.#log.error({ err: error }, 'notification sender failed; retrying in a minute');
        await this.#o.clock.sleep(60_000, signal).catch(() => {});
      }
    }
  }

  async #deliver(message: PendingNotification, now: number, signal: AbortSignal | undefined): Promise<void> {
    const log = this.#log.child({ rule: message.rule, channel: message.channel, id: message.id });
    if (now - message.createdAt > this.#delivery.maxAgeMs) {
      log.error({ attempts: message.attempts, lastError: message.lastError }, 'notification dropped: not delivered within its maximum age');
      return this.#finish(message);
    }
    const channel = this.#channels.get(message.channel);
    if (!channel) {
      log.warn('notification dropped: its NotificationChannel no longer exists or is invalid');
      return this.#finish(message);
    }
    let result: PostResult;
    try {
      const request = await channelRequest(channel, message, now, this.#o.links, this.#o.secrets);
      result = await postJson(request.url, request.body, request.headers, { now, ...(signal ? { signal } : {}), ...(this.#o.requestTimeoutMs !== undefined ? { timeoutMs: this.#o.requestTimeoutMs } : {}) });
    } catch (error) {
      if (!(error instanceof SecretRefError)) throw error;
      // The secret may appear (a file mounted late, a Secret created): back off and try again.
      result = { kind: 'retry', status: undefined, retryAfterMs: undefined, problem: error.message };
    }
    const after = this.#o.clock.now();
    if (result.kind === 'delivered') {
      this.#health.set(channel.key, { failures: 0, notBefore: after + this.#delivery.spacingMs });
      log.info({ status: result.status, events: message.events.length + message.omitted, attempts: message.attempts + 1 }, 'notification delivered');
      return this.#finish(message);
    }
    if (result.kind === 'refused') {
      this.#health.set(channel.key, { failures: 0, notBefore: after + this.#delivery.spacingMs });
      log.error({ status: result.status, problem: result.problem }, 'notification refused by the receiver and dropped; check the channel URL and type');
      return this.#finish(message);
    }
    const failures = (this.#health.get(channel.key)?.failures ?? 0) + 1;
    const wait = Math.max(backoffMs(failures, this.#delivery, (this.#o.random ?? Math.random)()), result.retryAfterMs ?? 0);
    this.#health.set(channel.key, { failures, notBefore: after + wait });
    log.warn({ status: result.status, problem: result.problem, attempts: message.attempts + 1, retryInMs: wait }, 'notification not delivered; will retry');
    this.#replace(message, { ...message, attempts: message.attempts + 1, lastError: result.problem.slice(0, 300) });
    await this.#persist();
  }

  #replace(message: PendingNotification, next: PendingNotification | undefined): void {
    const memory = this.#memory!;
    const outbox = memory.outbox.flatMap((m) => (m.id === message.id ? (next ? [next] : []) : [m]));
    this.#memory = { ...memory, outbox };
  }

  async #finish(message: PendingNotification): Promise<void> {
    this.#replace(message, undefined);
    await this.#persist();
  }

  /** Saves the memory with the reconcile's last state (a failed save is retried by the next one). */
  async #persist(): Promise<void> {
    const inner = this.#inner;
    if (!inner || !this.#lastState) return;
    try {
      await this.#serialise(() => inner.save(this.#withMemory(this.#lastState!)));
    } catch (error) {
      this.#log.warn({ err: error }, 'notification outbox not saved; the next save carries it');
    }
  }
}

export type { NotificationEvent };
