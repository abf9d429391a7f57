// Reads the JSON Schemas in schemas/ (the one source of truth for the kinds).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type JsonSchema = { [key: string]: unknown };

export const schemaDir = new URL('../../schemas/', import.meta.url).pathname;

/** The kinds, in the order every generated file lists them. */
export const kindFiles = {
  DeviceGroup: 'devicegroup.schema.json',
  UpdatePolicy: 'updatepolicy.schema.json',
  ScheduledUpdate: 'scheduledupdate.schema.json',
  NotificationChannel: 'notificationchannel.schema.json',
  NotificationRule: 'notificationrule.schema.json',
  Tenant: 'tenant.schema.json',
} as const;
export type KindName = keyof typeof kindFiles;

export function loadSchema(file: string): JsonSchema {
  return JSON.parse(readFileSync(join(schemaDir, file), 'utf8')) as JsonSchema;
}

/** Every schema file: common definitions first, then the kinds. */
export function loadAllSchemas(): { common: JsonSchema; kinds: Record<KindName, JsonSchema> } {
  return {
    common: loadSchema('common.schema.json'),
    kinds: Object.fromEntries(Object.entries(kindFiles).map(([kind, file]) => [kind, loadSchema(file)])) as Record<KindName, JsonSchema>,
  };
}
