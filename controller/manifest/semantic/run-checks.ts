// Every semantic check, in the order they run. Each is a function of the whole set of
// manifests; adding one is adding a line here and a rule in ../rules.ts.
import type { Check } from './context.ts';
import { checkDuplicateNames, checkReferences } from './check-references.ts';
import { checkDeviceLocalZones, checkTimeZones } from './check-time-zones.ts';
import { checkFreezes, checkWindows } from './check-windows.ts';
import { checkExpiredFreezes, checkHolidays } from './check-holidays.ts';
import { checkWaves } from './check-rollout.ts';
import { checkHealthRules } from './check-health.ts';
import { checkBasicLicensePhase, checkSoftwareRules, checkSuspend } from './check-software-rules.ts';
import { checkScheduleSoftware, checkScheduleTimes } from './check-schedules.ts';
import { checkGroupsMatchSomething, checkIncludedTwice, checkTargets } from './check-device-lists.ts';
import { checkNotificationChannels, checkNotificationReferences } from './check-notifications.ts';
import { tenantChecks } from './check-tenants.ts';

/** The semantic checks. */
export const semanticChecks: readonly Check[] = [
  checkDuplicateNames,
  checkReferences,
  checkTimeZones,
  checkDeviceLocalZones,
  checkWindows,
  checkFreezes,
  checkExpiredFreezes,
  checkHolidays,
  checkWaves,
  checkHealthRules,
  checkSoftwareRules,
  checkBasicLicensePhase,
  checkSuspend,
  checkScheduleTimes,
  checkScheduleSoftware,
  checkIncludedTwice,
  checkGroupsMatchSomething,
  checkTargets,
  checkNotificationReferences,
  checkNotificationChannels,
  ...tenantChecks,
];
