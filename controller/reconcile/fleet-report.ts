// The fleet report as a file the engine hands to the status writer: rendered (status/render-report.ts)
// from the plan the engine decided with, only when the writer asks for it, with a forecast
// simulated from the same plan input. A 30-day forecast is hundreds of plans (seconds for a few
// hundred devices), so it is simulated again only when the manifests changed or `refreshMs` of
// clock time went by; the gantt is drawn in whole days, so a forecast some minutes old draws the
// same bars. Where it is simulated is a port: in this thread by default (tests, small fleets),
// in a worker thread in the controller (run/report-forecast.ts). No I/O: `now` comes in.
import type { Plan } from '../model/plan.ts';
import type { PlanInput } from '../plan/build-plan.ts';
import { forecast } from '../plan/forecast.ts';
import { renderFleetReport, type ReportForecast } from '../status/render-report.ts';
import type { OmittedFile, WrittenFile } from '../model/source.ts';

/** What a forecast is asked for. */
export interface ForecastRequest {
  readonly now: number;
  readonly planInput: PlanInput;
  /** Changes whenever a manifest's spec changes (the manifests' keys and spec digests). */
  readonly specKey: string;
}

/** Gives the forecast the report draws now, or why there is none. */
export type ReportForecaster = (request: ForecastRequest) => { readonly forecast: ReportForecast } | { readonly missing: string };

export interface FleetReportOptions {
  /** Where the report goes, relative to the repository or folder root (POSIX). */
  readonly path: string;
  /** Default: inThreadForecaster() with its defaults. */
  readonly forecaster?: ReportForecaster;
}

/** What one evaluation gives the report. */
export interface ReportEvaluation extends ForecastRequest {
  readonly plan: Plan;
  readonly deviceLabel: (deviceId: string) => string;
  /** Manifest files the source left out. Default: none. */
  readonly omitted?: readonly OmittedFile[];
}

export interface ForecastSettings {
  /** Days the gantt looks ahead. Default: 30. */
  readonly days?: number;
  /** The forecast is simulated again after this much clock time even if no manifest changed. Default: 1 h. */
  readonly refreshMs?: number;
  /** Plans one forecast may compute. Default: 300. */
  readonly maxSteps?: number;
}

/** True when a forecast made at `at` for `specKey` may still be drawn at `now` (a clock stepped back simulates again). */
export function isForecastFresh(made: { readonly at: number; readonly specKey: string }, request: ForecastRequest, refreshMs: number): boolean {
  return made.specKey === request.specKey && request.now >= made.at && request.now - made.at < refreshMs;
}

/** Simulates in this thread, again only when the specs changed or the refresh time went by. */
export function inThreadForecaster(settings: ForecastSettings = {}): ReportForecaster {
  const refreshMs = settings.refreshMs ?? 3_600_000;
  let last: { readonly at: number; readonly specKey: string; readonly forecast: ReportForecast } | undefined;
  return (request) => {
    if (last === undefined || !isForecastFresh(last, request, refreshMs)) {
      last = { at: request.now, specKey: request.specKey, forecast: forecast(request.planInput, { days: settings.days ?? 30, maxSteps: settings.maxSteps ?? 300 }) };
    }
    return { forecast: last.forecast };
  };
}

/** Builds the report renderer. */
export function createFleetReport(options: FleetReportOptions): (evaluation: ReportEvaluation) => readonly WrittenFile[] {
  const forecaster = options.forecaster ?? inThreadForecaster();
  return (e) => {
    const got = forecaster(e);
    const text = renderFleetReport({ plan: e.plan, deviceLabel: e.deviceLabel, omitted: e.omitted ?? [], ...('forecast' in got ? { forecast: got.forecast } : { forecast: undefined, noForecast: got.missing }) });
    return [{ path: options.path, text }];
  };
}
