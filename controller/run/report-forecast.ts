// The fleet report's forecaster in the controller: the simulation runs in a worker thread
// (report-forecast-worker.ts), so a reconcile never waits for it. A reconcile draws the latest
// forecast finished (made for other specs, or up to `refreshMs` old, it still draws whole days
// well) and asks for a new one when that one is stale; when the new one lands, `onReady` asks for
// a reconcile, which writes the report again if its bars changed. Until the first lands the
// report says the forecast is being computed.
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log/logger.ts';
import type { ReportForecast } from '../status/render-report.ts';
import { isForecastFresh, type ForecastRequest, type ForecastSettings, type ReportForecaster } from '../reconcile/fleet-report.ts';
import { portablePlanInput } from '../plan/portable-plan-input.ts';
import { reportForecastWorkerTag, type ReportForecastJob, type ReportForecastReply } from './report-forecast-worker.ts';

// The worker's file has this module's extension: .ts in the repository, .js once compiled.
const workerFile = `./report-forecast-worker${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`;

export interface ReportForecastsOptions extends ForecastSettings {
  readonly logger: Logger;
  /** Called when a new forecast is ready (the controller triggers a reconcile). */
  readonly onReady: () => void;
}

/** Forecasts for the report, simulated off the controller's thread. */
export class ReportForecasts {
  readonly #options: ReportForecastsOptions;
  readonly #log: Logger;
  #worker: Worker | undefined;
  #running: { readonly at: number; readonly specKey: string } | undefined;
  #latest: { readonly at: number; readonly specKey: string; readonly forecast: ReportForecast } | undefined;
  #closed = false;

  constructor(options: ReportForecastsOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'report-forecast' });
  }

  /** The forecaster the engine's report calls. */
  readonly forecaster: ReportForecaster = (request) => {
    const latest = this.#latest;
    if ((latest === undefined || !isForecastFresh(latest, request, this.#options.refreshMs ?? 3_600_000)) && this.#running === undefined && !this.#closed) this.#start(request);
    return latest === undefined ? { missing: 'it is being computed and shows with a later status change' } : { forecast: latest.forecast };
  };

  #start(request: ForecastRequest): void {
    const job: ReportForecastJob = { input: portablePlanInput(request.planInput), days: this.#options.days ?? 30, maxSteps: this.#options.maxSteps ?? 300 };
    const worker = this.#worker ?? this.#startWorker();
    this.#running = { at: request.now, specKey: request.specKey };
    worker.postMessage(job);
  }

  #startWorker(): Worker {
    const worker = new Worker(new URL(workerFile, import.meta.url), { workerData: reportForecastWorkerTag });
    // The controller's life does not depend on the forecast: never keep the process up for it.
    worker.unref();
    worker.on('message', (reply: ReportForecastReply) => {
      const made = this.#running;
      this.#running = undefined;
      if (made === undefined || this.#closed) return;
      if (!reply.ok) {
        this.#log.warn({ reason: reply.message }, 'report forecast failed; the report keeps the previous one');
        return;
      }
      this.#latest = { ...made, forecast: reply.forecast };
      this.#log.debug({ updates: reply.forecast.events.length, truncated: reply.forecast.truncated }, 'report forecast ready');
      this.#options.onReady();
    });
    worker.on('error', (error) => {
      this.#log.warn({ err: error }, 'report forecast thread failed; a new one starts with the next request');
      this.#running = undefined;
      if (this.#worker === worker) this.#worker = undefined;
    });
    this.#worker = worker;
    return worker;
  }

  /** Stops the worker. */
  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.terminate();
  }
}
