// Reads the JSON Schemas in schemas/ (the one source of truth for the three kinds).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type JsonSchema = { [key: string]: unknown };

export const schemaDir = new URL('../../schemas/', import.meta.url).pathname;

/** The three kinds, in the order every generated file lists them. */
export const kindFiles = {
  DeviceGroup: 'devicegroup.schema.json',
  UpdatePolicy: 'updatepolicy.schema.json',
  ScheduledUpdate: 'scheduledupdate.schema.json',
} as const;
export type KindName = keyof typeof kindFiles;

export function loadSchema(file: string): JsonSchema {
  return JSON.parse(readFileSync(join(schemaDir, file), 'utf8')) as JsonSchema;
}

/** Every schema file: common definitions first, then the kinds. */
export function loadAllSchemas(): { common: JsonSchema; kinds: Record<KindName, JsonSchema> } {
  return {
    common: loadSchema('common.schema.json'),
    kinds: {
      DeviceGroup: loadSchema(kindFiles.DeviceGroup),
      UpdatePolicy: loadSchema(kindFiles.UpdatePolicy),
      ScheduledUpdate: loadSchema(kindFiles.ScheduledUpdate),
    },
  };
}
