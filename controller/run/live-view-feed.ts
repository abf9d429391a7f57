// Keeps what the live view shows: the last evaluation of the last reconcile (the engine's input,
// its plan and the statuses built from that plan: the same Plan the controller acted on, never
// a second one), turned into the page's JSON only when someone asks, at most once per
// evaluation. Open pages are told at most once a second (the demo reconciles many times a
// second). The forecast runs in a worker thread (forecast-worker.ts), only while someone is
// watching, at most once per `forecastEveryMs` and keeping the thread idle most of the time
// (`forecastDutyCycle`); until the next one the page shows the last.
import { portablePlanInput } from '../plan/portable-plan-input.ts';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log/logger.ts';
import type { Finding } from '../manifest/finding.ts';
import type { Engine, EngineInput, EngineOutput } from '../model/engine.ts';
import type { ManifestEntry } from '../model/desired.ts';
import { planFrom, planInputFrom, splitManifests } from '../reconcile/engine.ts';
import type { LiveViewSource } from '../server/live-view-http.ts';
import type { ForecastTimeline } from '../status/forecast-timeline.ts';
import { buildLiveView, liveDeviceName } from '../status/live-view.ts';
import type { ForecastJob, ForecastReply } from './forecast-worker.ts';

// The worker's file has this module's extension: .ts in the repository, .js in the installed
// package's dist/ (the build rewrites import specifiers, not this URL).
const forecastWorkerFile = `./forecast-worker${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`;

/** One evaluation of the engine, as the reconcile made it. */
export interface LiveEvaluation {
  readonly input: EngineInput<ManifestEntry, Finding>;
  readonly output: EngineOutput;
  readonly revision: string | undefined;
}

export interface LiveViewFeedOptions {
  /** Open pages are told of a new view at most this often (real ms). Default: 1,000. */
  readonly minIntervalMs?: number;
  /** A new forecast starts at most this often (real ms). Default: 60,000. */
  readonly forecastEveryMs?: number;
  /**
   * Largest share of the time the forecast thread may be busy: after a forecast that took T,
   * the next starts no sooner than T / share after the last one started (a 30-day forecast of
   * thousands of devices takes tens of seconds). Default: 0.2; 1 lets them run back to back.
   */
  readonly forecastDutyCycle?: number;
  /** How far the forecast looks (days). Default: 30. */
  readonly forecastDays?: number;
  /** Plans one forecast may compute (each is one step of the simulation). Default: 500. */
  readonly forecastMaxSteps?: number;
  /** False: no forecast at all. Default: true. */
  readonly forecast?: boolean;
  /** Someone is watching while a page is open or /api/view was read this recently (real ms). Default: 5 minutes. */
  readonly watchingForMs?: number;
  /** Real time for the throttles (not the domain clock: the demo's runs weeks in seconds). Default: performance.now. */
  readonly realNow?: () => number;
}

/** The live view's source for the HTTP routes; the controller publishes each reconcile's evaluation into it. */
export class LiveViewFeed implements LiveViewSource {
  readonly #log: Logger;
  readonly #options: Required<Omit<LiveViewFeedOptions, 'realNow'>>;
  readonly #now: () => number;
  readonly #listeners = new Set<() => void>();
  #evaluated: Omit<LiveEvaluation, 'revision'> | undefined;
  #last: LiveEvaluation | undefined;
  #json: string | undefined;
  #dirty = false;
  #timeline: ForecastTimeline | undefined;
  #notifyTimer: NodeJS.Timeout | undefined;
  #lastNotify = -Infinity;
  #lastRead = -Infinity;
  #worker: Worker | undefined;
  /** The evaluation the running forecast simulates from, while one runs. */
  #forecastFor: LiveEvaluation | undefined;
  /** The evaluation the shown forecast came from. */
  #forecastedFrom: LiveEvaluation | undefined;
  #forecastStarted = -Infinity;
  /** How long the last forecast took (real ms). */
  #forecastTook = 0;
  #forecastTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(logger: Logger, options: LiveViewFeedOptions = {}) {
    this.#log = logger.child({ component: 'live-view' });
    this.#options = {
      minIntervalMs: options.minIntervalMs ?? 1_000,
      forecastEveryMs: options.forecastEveryMs ?? 60_000,
      forecastDutyCycle: options.forecastDutyCycle ?? 0.2,
      forecastDays: options.forecastDays ?? 30,
      forecastMaxSteps: options.forecastMaxSteps ?? 500,
      forecast: options.forecast ?? true,
      watchingForMs: options.watchingForMs ?? 5 * 60_000,
    };
    this.#now = options.realNow ?? (() => performance.now());
  }

  /**
   * The engine, wrapped to remember its last evaluation: a reconcile evaluates twice (before and
   * after starting operations) and the second is the one its statuses come from.
   */
  observeEngine(engine: Engine<ManifestEntry, Finding>): Engine<ManifestEntry, Finding> {
    return (input) => {
      // The previous evaluation is let go before the next is made (its plan is several MB at 10k
      // devices); the view itself (#last) is only replaced when the reconcile ends (issue 17).
      this.#evaluated = undefined;
      const output = engine(input);
      this.#evaluated = { input, output };
      return output;
    };
  }

  /** A reconcile has finished: its last evaluation becomes the view. */
  reconciled(revision: string | undefined): void {
    if (this.#evaluated) this.publish({ ...this.#evaluated, revision });
  }

  /** Takes in a reconcile's final evaluation. */
  publish(evaluation: LiveEvaluation): void {
    if (this.#closed) return;
    this.#last = evaluation;
    this.#dirty = true;
    this.#maybeForecast();
    this.#scheduleNotify();
  }

  json(): string | undefined {
    this.#lastRead = this.#now();
    if (this.#dirty && this.#last) {
      this.#dirty = false;
      try {
        this.#json = this.#build(this.#last);
      } catch (error) {
        // The previous view stays: a page that stops changing is better than none.
        this.#log.error({ err: error }, 'live view not built');
      }
    }
    this.#maybeForecast();
    return this.#json;
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    this.#maybeForecast();
    return () => this.#listeners.delete(listener);
  }

  /** Stops the timers and the forecast thread. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#notifyTimer);
    clearTimeout(this.#forecastTimer);
    this.#listeners.clear();
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.terminate();
  }

  #build({ input, output, revision }: LiveEvaluation): string {
    const byId = new Map(input.fleet.devices.map((d) => [d.id, d]));
    const view = buildLiveView({
      plan: output.plan ?? planFrom(input),
      statuses: output.statuses,
      policies: splitManifests(input.desired.manifests).policies,
      label: (id) => liveDeviceName(id, byId.get(id)),
      revision,
      forecast: this.#timeline,
    });
    return JSON.stringify(view);
  }

  #scheduleNotify(): void {
    if (this.#notifyTimer !== undefined || this.#listeners.size === 0) return;
    const wait = Math.max(0, this.#lastNotify + this.#options.minIntervalMs - this.#now());
    this.#notifyTimer = setTimeout(() => {
      this.#notifyTimer = undefined;
      this.#lastNotify = this.#now();
      for (const listener of [...this.#listeners]) listener();
    }, wait);
    this.#notifyTimer.unref();
  }

  #isWatched(): boolean {
    return this.#listeners.size > 0 || this.#now() - this.#lastRead < this.#options.watchingForMs;
  }

  #maybeForecast(): void {
    const last = this.#last;
    if (!this.#options.forecast || this.#closed || !last || this.#forecastFor !== undefined || this.#forecastTimer !== undefined) return;
    if (this.#timeline !== undefined && this.#forecastedFrom === last) return;
    if (!this.#isWatched()) return;
    const gap = Math.max(this.#options.forecastEveryMs, this.#forecastTook / this.#options.forecastDutyCycle);
    const wait = this.#forecastStarted + gap - this.#now();
    if (wait > 0) {
      this.#forecastTimer = setTimeout(() => {
        this.#forecastTimer = undefined;
        this.#maybeForecast();
      }, wait);
      this.#forecastTimer.unref();
      return;
    }
    this.#startForecast(last);
  }

  #startForecast(evaluation: LiveEvaluation): void {
    const plan = evaluation.output.plan ?? planFrom(evaluation.input);
    const job: ForecastJob = {
      input: portablePlanInput(planInputFrom(evaluation.input)),
      days: this.#options.forecastDays,
      maxSteps: this.#options.forecastMaxSteps,
      zones: Object.fromEntries(plan.groups.map((g) => [g.key, g.timeZone])),
    };
    const worker = this.#worker ?? this.#startWorker();
    this.#forecastFor = evaluation;
    this.#forecastStarted = this.#now();
    worker.postMessage(job);
  }

  #startWorker(): Worker {
    const worker = new Worker(new URL(forecastWorkerFile, import.meta.url));
    // The controller's life does not depend on the forecast: never keep the process up for it.
    worker.unref();
    worker.on('message', (reply: ForecastReply) => {
      const evaluation = this.#forecastFor;
      this.#forecastFor = undefined;
      this.#forecastTook = this.#now() - this.#forecastStarted;
      if (reply.ok) {
        this.#timeline = reply.timeline;
        this.#forecastedFrom = evaluation;
        this.#dirty = true;
        this.#log.debug({ updates: reply.timeline.updates, truncated: reply.timeline.truncated, ms: Math.round(this.#forecastTook) }, 'forecast ready');
        this.#scheduleNotify();
      } else {
        this.#log.warn({ reason: reply.message }, 'forecast failed; the page keeps the previous one');
      }
      this.#maybeForecast();
    });
    worker.on('error', (error) => {
      this.#log.warn({ err: error }, 'forecast thread failed; a new one starts with the next forecast');
      this.#forecastFor = undefined;
      if (this.#worker === worker) this.#worker = undefined;
    });
    this.#worker = worker;
    return worker;
  }
}
