// The fleet report as a file the engine hands to the status writer: rendered (plan/render-report.ts)
// from the plan the engine decided with, only when the writer asks for it, with a forecast
// simulated from the same plan input. A 30-day forecast is hundreds of plans (seconds for a few
// hundred devices), so it is simulated again only when the manifests changed or `refreshMs` of
// clock time went by, and not at all above `maxDevices`; the gantt is drawn in whole days, so
// a forecast some minutes old draws the same bars. No I/O: `now` comes with each input.
import type { Plan } from '../model/plan.ts';
import type { PlanInput } from '../plan/build-plan.ts';
import { forecast, type Forecast } from '../plan/forecast.ts';
import { renderFleetReport } from '../plan/render-report.ts';
import type { WrittenFile } from '../sources/source.ts';

export interface FleetReportOptions {
  /** Where the report goes, relative to the repository or folder root (POSIX). */
  readonly path: string;
  /** Days the gantt looks ahead. Default: 30. */
  readonly days?: number;
  /** The forecast is simulated again after this much clock time even if no manifest changed. Default: 1 h. */
  readonly refreshMs?: number;
  /** Plans one forecast may compute. Default: 300. */
  readonly maxSteps?: number;
  /** Above this many devices the report has no gantt (use `firmwarden plan --forecast`). Default: 5,000. */
  readonly maxDevices?: number;
}

/** What one evaluation gives the report. */
export interface ReportEvaluation {
  readonly now: number;
  readonly planInput: PlanInput;
  readonly plan: Plan;
  readonly deviceLabel: (deviceId: string) => string;
  /** Changes whenever a manifest's spec changes (the manifests' keys and spec digests). */
  readonly specKey: string;
}

/** Builds the report renderer; it keeps the last forecast between evaluations. */
export function createFleetReport(options: FleetReportOptions): (evaluation: ReportEvaluation) => readonly WrittenFile[] {
  const days = options.days ?? 30;
  const refreshMs = options.refreshMs ?? 3_600_000;
  const maxDevices = options.maxDevices ?? 5000;
  let last: { readonly at: number; readonly specKey: string; readonly forecast: Forecast | undefined } | undefined;
  const forecastFor = (e: ReportEvaluation): Forecast | undefined => {
    // A clock stepped back (at > now) simulates again rather than trusting a forecast from the future.
    if (last !== undefined && last.specKey === e.specKey && e.now >= last.at && e.now - last.at < refreshMs) return last.forecast;
    const tooMany = e.planInput.devices.length > maxDevices;
    const result = tooMany ? undefined : forecast(e.planInput, { days, maxSteps: options.maxSteps ?? 300 });
    last = { at: e.now, specKey: e.specKey, forecast: result };
    return result;
  };
  return (e) => {
    const f = forecastFor(e);
    const text = renderFleetReport({ plan: e.plan, deviceLabel: e.deviceLabel, forecast: f, ...(f === undefined ? { noForecast: `the fleet has more than ${maxDevices} devices` } : {}) });
    return [{ path: options.path, text }];
  };
}
