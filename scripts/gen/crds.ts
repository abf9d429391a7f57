// Turns the schemas into CustomResourceDefinitions: refs inlined, and only what a structural
// openAPIV3Schema allows (no $ref/$defs, no additionalProperties beside properties, OpenAPI 3.0
// boolean exclusiveMinimum, metadata left to the API server).
import { stringify } from 'yaml';
import type { JsonSchema, KindName } from './load-schemas.ts';
import { kindFiles } from './load-schemas.ts';
import { bundleSchemas } from './bundle.ts';

export const group = 'firmwarden.dev';
export const version = 'v1alpha1';
export const crdDir = new URL('../../crds/', import.meta.url).pathname;

interface KindInfo {
  plural: string;
  singular: string;
  shortNames: string[];
  printerColumns: { name: string; type: string; jsonPath: string; description?: string }[];
}

const dropped = new Set(['$schema', '$id', '$defs', 'title', 'x-firmwarden', '$comment']);

function toStructural(node: JsonSchema, defs: Record<string, JsonSchema>, path: string): JsonSchema {
  let schema = node;
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace('#/$defs/', '');
    const target = defs[name];
    if (!target) throw new Error(`${path}: unresolved $ref ${schema.$ref}`);
    const { $ref: _r, ...siblings } = schema;
    schema = { ...target, ...siblings };
  }
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (dropped.has(key)) continue;
    if (key === 'additionalProperties' && value === false) continue;
    if (key === 'exclusiveMinimum' && typeof value === 'number') {
      out.minimum = value;
      out.exclusiveMinimum = true;
      continue;
    }
    if (key === 'properties') {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, JsonSchema>).map(([p, s]) => [p, toStructural(s, defs, `${path}.${p}`)]),
      );
    } else if (key === 'items' || (key === 'additionalProperties' && typeof value === 'object')) {
      out[key] = toStructural(value as JsonSchema, defs, `${path}[]`);
    } else {
      out[key] = value;
    }
  }
  if (out.type === undefined) throw new Error(`${path}: a structural schema needs a type`);
  return out;
}

/** The CRD object of one kind. */
export function buildCrd(kind: KindName): JsonSchema {
  const { defs } = bundleSchemas({ dropRefSiblings: false });
  const root = defs[kind]!;
  const info = root['x-firmwarden'] as KindInfo;
  const props = root.properties as Record<string, JsonSchema>;
  const openAPIV3Schema: JsonSchema = {
    type: 'object',
    description: root.description,
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
      kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
      metadata: { type: 'object' },
      spec: toStructural(props.spec!, defs, `${kind}.spec`),
      // Kinds the controller only reads (NotificationChannel, NotificationRule) have no status.
      ...(props.status ? { status: toStructural(props.status, defs, `${kind}.status`) } : {}),
    },
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${info.plural}.${group}`,
      annotations: { 'firmwarden.dev/generated-from': `schemas/${kindFiles[kind]}` },
    },
    spec: {
      group,
      names: {
        kind,
        listKind: `${kind}List`,
        plural: info.plural,
        singular: info.singular,
        shortNames: info.shortNames,
        categories: ['firmwarden'],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          ...(props.status ? { subresources: { status: {} } } : {}),
          additionalPrinterColumns: info.printerColumns,
          schema: { openAPIV3Schema },
        },
      ],
    },
  };
}

/** File name and YAML text of every CRD. */
export function generateCrds(): { file: string; text: string }[] {
  return (Object.keys(kindFiles) as KindName[]).map((kind) => {
    const crd = buildCrd(kind);
    const name = (crd.metadata as { name: string }).name;
    const text = `# GENERATED from schemas/${kindFiles[kind]} by \`npm run generate\`. Do not edit by hand.\n${stringify(crd, { lineWidth: 0 })}`;
    return { file: `${name}.yaml`, text };
  });
}
