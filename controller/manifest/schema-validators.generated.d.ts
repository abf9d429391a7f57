// Types of the GENERATED schema-validators.generated.js (scripts/gen/validators.ts writes both).
import type { ErrorObject } from 'ajv';

/** A precompiled Ajv validator: true when valid, errors left on `.errors` otherwise. */
export interface GeneratedValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

export declare const validateDeviceGroup: GeneratedValidator;
export declare const validateUpdatePolicy: GeneratedValidator;
export declare const validateScheduledUpdate: GeneratedValidator;
export declare const validateNotificationChannel: GeneratedValidator;
export declare const validateNotificationRule: GeneratedValidator;
export declare const validateTenant: GeneratedValidator;

/** Every schema definition, refs rewritten to #/$defs/NAME; the kinds are defs named after them. */
export declare const schemaDefs: Record<string, Record<string, unknown>>;
