// Generates controller/model/manifests.generated.ts from schemas/ with json-schema-to-typescript.
import { compile } from 'json-schema-to-typescript';
import { bundleSchemas } from './bundle.ts';

export const typesFile = new URL('../../controller/model/manifests.generated.ts', import.meta.url).pathname;

const banner = `// GENERATED from schemas/*.schema.json by \`npm run generate\`. Do not edit by hand:
// change the schema and regenerate (test/schemas/drift.test.ts fails when this file is stale).
/* eslint-disable */`;

/** The TypeScript source of the manifest types. */
export async function generateTypes(): Promise<string> {
  const { defs, kinds } = bundleSchemas({ dropRefSiblings: true });
  const root = {
    title: 'Manifest',
    description: 'Any of the kinds.',
    anyOf: kinds.map((k) => ({ $ref: `#/$defs/${k}` })),
    $defs: Object.fromEntries(Object.entries(defs).map(([name, def]) => [name, { ...def, title: name }])),
  };
  return compile(root as never, 'Manifest', {
    bannerComment: banner,
    additionalProperties: false,
    declareExternallyReferenced: true,
    unreachableDefinitions: true,
    format: true,
    strictIndexSignatures: true,
    style: { singleQuote: true, printWidth: 120 },
  });
}
