// Documented inconsistencies of the real API, reproducible on demand so a client can be
// tested against each. All off by default: the default answers follow the CSDL metadata and
// the spec's example payloads.
import { EmulatorInputError } from './input-error.ts';

/** How operation statuses are spelled on the wire. */
export const statusSpellings = {
  /** queued, scheduled, inProgress, successful, failed, cancelled (the example payloads). */
  camelCase: ['queued', 'scheduled', 'inProgress', 'successful', 'failed', 'cancelled'],
  /** Queued, Scheduled, InProgress, Successful, Failed, Cancelled (the resource page). */
  PascalCase: ['Queued', 'Scheduled', 'InProgress', 'Successful', 'Failed', 'Cancelled'],
  /** queued, scheduled, inProgress, succeeded, failed, cancelled (the action pages). */
  succeeded: ['queued', 'scheduled', 'inProgress', 'succeeded', 'failed', 'cancelled'],
  /** Queued, Scheduled, InProgress, Succeeded, Failed, Cancelled. */
  Succeeded: ['Queued', 'Scheduled', 'InProgress', 'Succeeded', 'Failed', 'Cancelled'],
} as const;
export type StatusSpelling = keyof typeof statusSpellings;

export interface Quirks {
  /** deviceType, healthStatus and activityState in PascalCase in list and get (the docs' examples); default false. */
  readonly pascalCaseEnums: boolean;
  /** Single entities (device, health, activity, configuration, operation) wrapped in `value`; default false. */
  readonly wrapSingleEntities: boolean;
  /** Spelling of operation statuses; default 'camelCase'. */
  readonly statusSpelling: StatusSpelling;
  /** Absolute @odata.nextLink (http://…/beta/…) instead of the relative `/teamwork/devices?…`; default false. */
  readonly absoluteNextLinks: boolean;
  /** @odata.count on list pages though $count was not asked (the docs' examples); default false. */
  readonly odataCount: boolean;
  /** $top above 50 answered 400 instead of served as 50; default false. */
  readonly strictTop: boolean;
  /** `error: { code: null, message: 'Unknown' }` on operations that did not fail (the list example); default false. */
  readonly errorOnSuccess: boolean;
  /** $batch answers in reverse order (clients must match by id); default false. */
  readonly reverseBatchResponses: boolean;
  /**
   * sipAnalog devices: 'sipAnalog' (docs, default), 'unknownFutureValue' (CSDL has no such member), or
   * 'listError' (a list page that would hold one fails with 500, as reported against real tenants).
   */
  readonly sipAnalog: 'sipAnalog' | 'unknownFutureValue' | 'listError';
}

export const defaultQuirks: Quirks = {
  pascalCaseEnums: false, wrapSingleEntities: false, statusSpelling: 'camelCase', absoluteNextLinks: false,
  odataCount: false, strictTop: false, errorOnSuccess: false, reverseBatchResponses: false, sipAnalog: 'sipAnalog',
};

/** Checks and merges a partial quirk setting; throws EmulatorInputError naming the bad field. */
export function mergeQuirks(base: Quirks, patch: Partial<Record<keyof Quirks, unknown>>): Quirks {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (!(key in defaultQuirks)) throw new EmulatorInputError(`unknown quirk ${JSON.stringify(key)}; known: ${Object.keys(defaultQuirks).join(', ')}`);
    if (key === 'statusSpelling') {
      if (typeof value !== 'string' || !(value in statusSpellings)) throw new EmulatorInputError(`statusSpelling must be one of ${Object.keys(statusSpellings).join(', ')}`);
    } else if (key === 'sipAnalog') {
      if (value !== 'sipAnalog' && value !== 'unknownFutureValue' && value !== 'listError') throw new EmulatorInputError('sipAnalog must be sipAnalog, unknownFutureValue or listError');
    } else if (typeof value !== 'boolean') {
      throw new EmulatorInputError(`${key} must be true or false`);
    }
    out[key] = value;
  }
  return out as unknown as Quirks;
}
