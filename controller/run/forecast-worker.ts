// The live view's forecast, off the controller's thread: simulating 30 days is hundreds of
// plans (about a second for 500 devices, tens of seconds for thousands), and the reconcile loop,
// the health endpoints and the event streams must not wait for it. A worker thread runs
// forecast() and forecastTimeline() (both pure) on one plan input at a time and posts back
// only the small timeline. Imported in the main thread this file does nothing.
import { isMainThread, parentPort } from 'node:worker_threads';
import type { PlanInput } from '../plan/build-plan.ts';
import { forecast } from '../plan/forecast.ts';
import { forecastTimeline, type ForecastTimeline } from '../status/forecast-timeline.ts';
import { liveDeviceName } from '../status/live-view.ts';

/** One job: the plan input and how far to look. */
export interface ForecastJob {
  readonly input: PlanInput;
  readonly days: number;
  readonly maxSteps: number;
  /** Each group's zone (namespace/name → IANA zone); devices in no group count in UTC. */
  readonly zones: Readonly<Record<string, string>>;
}

export type ForecastReply = { readonly ok: true; readonly timeline: ForecastTimeline } | { readonly ok: false; readonly message: string };

/** Runs one job (also callable in-thread, by tests). */
export function runForecastJob(job: ForecastJob): ForecastTimeline {
  const f = forecast(job.input, { days: job.days, maxSteps: job.maxSteps });
  const byId = new Map(job.input.devices.map((d) => [d.id, d]));
  return forecastTimeline(f, (group) => (group === undefined ? 'UTC' : (job.zones[group] ?? 'UTC')), (id) => liveDeviceName(id, byId.get(id)));
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  port.on('message', (job: ForecastJob) => {
    let reply: ForecastReply;
    try {
      reply = { ok: true, timeline: runForecastJob(job) };
    } catch (error) {
      reply = { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
    port.postMessage(reply);
  });
}
