// The one status write of a pass over several tenants: the writes each tenant's reconcile asked
// for, plus the statuses of namespaces acted upon by no tenant, in one request to the shared
// source (one commit in a Git repository). The release calendar file is shared too: release
// dates and evidence merge; stopped rollouts are keyed `namespace/policy|softwareType`, so each
// tenant's own replace theirs in the file, and the file keeps those of tenants not reconciled in
// this pass. Pure.
import type { RememberedCalendar } from '../model/state.ts';
import type { Snapshot, StatusUpdate, StatusWriteRequest } from '../model/source.ts';
import { mergeCalendars } from '../policy/release-calendar.ts';
import { mergeEvidence } from '../policy/evidence.ts';
import { mergeTenantFiles, type TenantFiles } from './tenant-report.ts';

/** One tenant's part of the pass: its namespace and the write its reconcile asked for. */
export interface TenantWrite {
  readonly namespace: string;
  readonly request: StatusWriteRequest;
}

/** The calendar file's content with the calendars of `tenants` (by namespace) merged in. */
export function mergeTenantCalendars(file: RememberedCalendar | undefined, tenants: ReadonlyMap<string, RememberedCalendar>): RememberedCalendar {
  const own = (key: string) => tenants.has(key.slice(0, key.indexOf('/')));
  const rollouts: Record<string, RememberedCalendar['rollouts'][string]> = {};
  for (const [key, memory] of Object.entries(file?.rollouts ?? {})) if (!own(key)) rollouts[key] = memory;
  for (const calendar of tenants.values()) Object.assign(rollouts, calendar.rollouts);
  const calendars = [...tenants.values()];
  const evidence = mergeEvidence(file?.evidence, ...calendars.map((c) => c.evidence));
  return {
    releases: mergeCalendars(file?.releases ?? [], ...calendars.map((c) => c.releases)),
    rollouts,
    ...(evidence.length > 0 ? { evidence } : {}),
  };
}

/** One line for the commit: how many tenants, and each one's summary (the first few). */
export function passSummary(writes: readonly TenantWrite[], unbound: number): string {
  const shown = writes.slice(0, 3).map((w) => `${w.namespace}: ${w.request.summary}`);
  const more = writes.length > 3 ? [`${writes.length - 3} more tenants`] : [];
  const stopped = unbound > 0 ? [`${unbound} manifest${unbound === 1 ? '' : 's'} of no tenant`] : [];
  return [...shown, ...more, ...stopped].join('; ') || 'tenants';
}

/**
 * The pass's single write request: every tenant's statuses (recomputed on the next revision
 * after a rejected push, as each tenant's own request would be) and the fixed `extra` ones.
 * `calendar`: the merged calendar file, when the source keeps one.
 */
export function mergeTenantWrites(
  revision: string, writes: readonly TenantWrite[], extra: readonly StatusUpdate[], calendar: RememberedCalendar | undefined,
  /** The last report files of tenants served but not reconciled in this pass: their sections stay. */
  earlier: readonly TenantFiles[] = [],
): StatusWriteRequest {
  return {
    revision,
    summary: passSummary(writes, extra.length),
    statuses: async (next: Snapshot) => {
      const parts = await Promise.all(writes.map(async (w) => (typeof w.request.statuses === 'function' ? await w.request.statuses(next) : w.request.statuses)));
      return [...extra, ...parts.flat()];
    },
    ...(calendar ? { calendar } : {}),
    // The fleet report: one file with a section per tenant (tenant-report.ts).
    ...(writes.some((w) => w.request.files !== undefined)
      ? {
          files: async (next: Snapshot) => {
            const ran = await Promise.all(writes.map(async (w) => ({
              namespace: w.namespace,
              files: typeof w.request.files === 'function' ? await w.request.files(next) : (w.request.files ?? []),
            })));
            return mergeTenantFiles([...ran, ...earlier.filter((e) => !writes.some((w) => w.namespace === e.namespace))]);
          },
        }
      : {}),
  };
}
