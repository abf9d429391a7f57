// The fleet report's forecast, off the controller's thread: 30 days are hundreds of plans
// (seconds for hundreds of devices, tens of seconds for thousands), and the reconcile loop and
// the health endpoints must not wait for them. Runs forecast() (pure) on one plan input at a
// time and posts back its events only (not the final plan). Imported elsewhere it does nothing.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { PlanInput } from '../plan/build-plan.ts';
import { forecast } from '../plan/forecast.ts';
import type { ReportForecast } from '../status/render-report.ts';

/** What the main thread passes as workerData, so the file only listens when started for this. */
export const reportForecastWorkerTag = 'firmwarden-report-forecast';

/** One job: the plan input and how far to look. */
export interface ReportForecastJob {
  readonly input: PlanInput;
  readonly days: number;
  readonly maxSteps: number;
}

export type ReportForecastReply = { readonly ok: true; readonly forecast: ReportForecast } | { readonly ok: false; readonly message: string };

/** Runs one job (also callable in-thread). */
export function runReportForecast(job: ReportForecastJob): ReportForecast {
  const { from, to, truncated, events } = forecast(job.input, { days: job.days, maxSteps: job.maxSteps });
  return { from, to, truncated, events };
}

if (!isMainThread && parentPort && workerData === reportForecastWorkerTag) {
  const port = parentPort;
  port.on('message', (job: ReportForecastJob) => {
    let reply: ReportForecastReply;
    try {
      reply = { ok: true, forecast: runReportForecast(job) };
    } catch (error) {
      reply = { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
    port.postMessage(reply);
  });
}
