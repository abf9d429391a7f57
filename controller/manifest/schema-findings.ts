// Schema validation of one manifest with the precompiled Ajv validators, and the translation of
// Ajv's errors into findings that point at the offending node and say what to do: an unknown
// field at its KEY (with a did-you-mean), a wrong value at the VALUE, a missing field at the
// mapping that should hold it.
import type { ErrorObject } from 'ajv';
import type { Finding } from './finding.ts';
import type { Kind } from './kinds.ts';
import type { RuleId } from './rules.ts';
import { severityOf } from './rules.ts';
import { definitionDescription, fieldsAt, schemaAt } from './schema-shape.ts';
import type { GeneratedValidator } from './schema-validators.generated.js';
import { validateDeviceGroup, validateNotificationChannel, validateNotificationRule, validateScheduledUpdate, validateTenant, validateUpdatePolicy } from './schema-validators.generated.js';
import { suggest } from './suggest.ts';
import type { PathSegment, Target, YamlDocument } from './yaml-document.ts';
import { fieldName, fromPointer, locate, sourceAt, toPointer } from './yaml-document.ts';

const validators: Record<Kind, GeneratedValidator> = {
  DeviceGroup: validateDeviceGroup,
  UpdatePolicy: validateUpdatePolicy,
  ScheduledUpdate: validateScheduledUpdate,
  NotificationChannel: validateNotificationChannel,
  NotificationRule: validateNotificationRule,
  Tenant: validateTenant,
};

interface Problem {
  rule: RuleId;
  message: string;
  path: PathSegment[];
  target: Target;
}

/** Validates `value` as a `kind`; one finding per problem, in document order. */
export function validateSchema(doc: YamlDocument, kind: Kind, value: unknown, key: string): Finding[] {
  const validate = validators[kind];
  if (validate(value)) return [];
  const errors = validate.errors ?? [];
  // A value of the wrong type also fails its enum/pattern/length; only the type error helps.
  const typeErrorAt = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  const seen = new Set<string>();
  const findings: Finding[] = [];
  for (const error of errors) {
    if (error.keyword !== 'type' && typeErrorAt.has(error.instancePath)) continue;
    const problem = describe(doc, kind, value, error);
    const range = locate(doc, problem.path, problem.target);
    const id = `${problem.rule}|${range.line}|${range.column}|${problem.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    findings.push({
      file: doc.file,
      ...range,
      severity: severityOf(problem.rule),
      rule: problem.rule,
      message: problem.message,
      key,
      path: toPointer(problem.path),
      docIndex: doc.index,
    });
  }
  return findings;
}

function describe(doc: YamlDocument, kind: Kind, root: unknown, error: ErrorObject): Problem {
  const path = fromPointer(error.instancePath);
  const field = fieldName(path);
  const where = field === '' ? `the top level of the ${kind}` : field;
  const value = valueAt(root, path);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const allowed = fieldsAt(kind, path);
      const guess = suggest(name, allowed);
      const hint = guess ? `; did you mean '${guess}'?` : allowed.length > 0 && allowed.length <= 12 ? `; allowed: ${allowed.join(', ')}` : '';
      return { rule: 'schema-unknown-field', message: `unknown field '${name}' in ${where}${hint}`, path: [...path, name], target: 'key' };
    }
    case 'required': {
      const name = String(params.missingProperty);
      const about = schemaAt(kind, [...path, name]);
      const description = typeof about?.schema.description === 'string' ? ` (${lowerFirst(about.schema.description)})` : '';
      const target: Target = path.length === 0 || typeof path[path.length - 1] === 'number' ? 'start' : 'key';
      return { rule: 'schema-required', message: `missing required field '${name}' in ${where}${description}`, path, target };
    }
    case 'type': {
      const expected = String(params.type);
      let message = `${field || kind}: expected ${article(expected)}, got ${describeValue(value)}`;
      const source = sourceAt(doc, path);
      if (expected === 'string' && (typeof value === 'number' || typeof value === 'boolean') && source !== undefined) {
        message += `; write it in quotes ("${source}") so YAML keeps it as text`;
      }
      return { rule: 'schema-type', message, path, target: 'value' };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const guess = typeof value === 'string' ? suggest(value, allowed) : undefined;
      return {
        rule: 'schema-enum',
        message: `${field}: '${String(value)}' is not one of ${allowed.join(', ')}${guess ? `; did you mean '${guess}'?` : ''}`,
        path,
        target: 'value',
      };
    }
    case 'pattern':
    case 'format': {
      const at = schemaAt(kind, path);
      const description = (at?.definition && definitionDescription(at.definition)) ?? (typeof at?.schema.description === 'string' ? at.schema.description : undefined);
      const expected = description ? `expected ${lowerFirst(description)}` : error.keyword === 'format' ? `expected a ${String(params.format)}` : `expected text matching ${String(params.pattern)}`;
      return { rule: 'schema-pattern', message: `${field}: '${String(value)}' is not valid: ${expected}`, path, target: 'value' };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const limit = String(params.limit);
      const words = { minimum: `at least ${limit}`, maximum: `at most ${limit}`, exclusiveMinimum: `more than ${limit}`, exclusiveMaximum: `less than ${limit}` };
      return { rule: 'schema-range', message: `${field}: ${String(value)} is out of range; it must be ${words[error.keyword]}`, path, target: 'value' };
    }
    case 'minLength':
    case 'maxLength': {
      const limit = Number(params.limit);
      const length = typeof value === 'string' ? [...value].length : 0;
      const bound = error.keyword === 'minLength' ? (limit === 1 ? 'must not be empty' : `needs at least ${limit} characters`) : `allows at most ${limit} characters (this has ${length})`;
      return { rule: 'schema-size', message: `${field}: ${bound}`, path, target: 'value' };
    }
    case 'minItems':
    case 'maxItems': {
      const limit = Number(params.limit);
      const count = Array.isArray(value) ? value.length : 0;
      const bound = error.keyword === 'minItems' ? `needs at least ${limit} ${limit === 1 ? 'entry' : 'entries'}` : `allows at most ${limit} entries (this has ${count})`;
      return { rule: 'schema-size', message: `${field}: ${bound}`, path, target: 'value' };
    }
    case 'minProperties': {
      const allowed = fieldsAt(kind, path);
      return { rule: 'schema-size', message: `${field}: must not be empty; give ${allowed.length > 1 ? `at least one of ${allowed.join(', ')}` : 'a value'}`, path, target: 'value' };
    }
    case 'maxProperties': {
      const limit = Number(params.limit);
      const given = value !== null && typeof value === 'object' ? Object.keys(value) : [];
      const choice = limit === 1 ? `give only one of ${fieldsAt(kind, path).join(', ')}` : `give at most ${limit}`;
      return { rule: 'schema-size', message: `${field}: ${choice}, not ${given.join(' and ')}`, path, target: 'value' };
    }
    default:
      return { rule: 'schema-type', message: `${where}: ${error.message ?? 'is not valid'}`, path, target: 'value' };
  }
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let v = root;
  for (const s of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[String(s)] : undefined;
  return v;
}

function article(type: string): string {
  const names: Record<string, string> = {
    string: 'text',
    integer: 'a whole number',
    number: 'a number',
    boolean: 'true or false',
    object: 'a mapping (key: value lines)',
    array: "a list ('- item' lines or [a, b])",
    null: 'nothing',
  };
  return type.split(',').map((t) => names[t] ?? t).join(' or ');
}

/** A value in words for a message ("a mapping", "the number 3"), without calling anything on it. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (the value is empty)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text '${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  if (typeof value === 'number') return Number.isInteger(value) ? `the number ${value}` : `the number ${value}`;
  return `${String(value)}`;
}

function lowerFirst(text: string): string {
  const trimmed = text.replace(/\.$/, '');
  // Lower-case the first word unless it is an acronym (IANA, RFC).
  return /^[A-Z](?![A-Z])/.test(trimmed) ? trimmed[0]!.toLowerCase() + trimmed.slice(1) : trimmed;
}
