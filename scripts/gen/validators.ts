// Generates controller/manifest/schema-validators.generated.js: Ajv's standalone validation code
// for the kinds, plus the bundled schema definitions lint reads to word its messages.
// Why generated: compiling the schemas with Ajv takes ~150 ms (and importing Ajv ~30 ms) on
// every `firmwarden lint`; loading the precompiled code takes a few milliseconds.
import { _ } from 'ajv';
import ajv2020 from 'ajv/dist/2020.js';
import standalone from 'ajv/dist/standalone/index.js';
import ajvFormats from 'ajv-formats';
import { bundleSchemas } from './bundle.ts';
import { kindFiles, loadAllSchemas } from './load-schemas.ts';

export const validatorsFile = new URL('../../controller/manifest/schema-validators.generated.js', import.meta.url).pathname;


/** The options lint validates with; the vendor keyword holds CRD metadata (plural, printer columns). */
export const ajvOptions = { allErrors: true, strict: true } as const;

// These packages are CommonJS with a `default` export; Node hands ESM importers module.exports.
const Ajv2020 = ajv2020.default;
const standaloneCode = standalone.default;
const addFormats = ajvFormats.default;

const banner = `// GENERATED from schemas/*.schema.json by \`npm run generate\` (scripts/gen/validators.ts). Do not
// edit by hand: change the schema and regenerate (test/manifest/validators-drift.test.ts fails
// when this file is stale). Ajv standalone code; types in schema-validators.generated.d.ts.
/* eslint-disable */
`;

/** The JavaScript source of the precompiled validators and the schema bundle. */
export function generateValidators(): string {
  const ajv = new Ajv2020({ ...ajvOptions, code: { source: true, esm: true, lines: false, formats: _`fullFormats` } });
  addFormats(ajv);
  ajv.addKeyword('x-firmwarden');
  const { common, kinds } = loadAllSchemas();
  ajv.addSchema(common);
  for (const schema of Object.values(kinds)) ajv.addSchema(schema);
  const exports: Record<string, string> = {};
  for (const [kind, file] of Object.entries(kindFiles)) exports[`validate${kind}`] = `https://firmwarden.dev/schemas/v1alpha1/${file}`;
  let code = standaloneCode(ajv, exports);
  // Ajv's ESM output still calls require() for its runtime helpers; Node's ESM has no require.
  const helpers = new Map<string, string>();
  code = code.replace(/require\("(ajv\/dist\/runtime\/[a-z0-9]+)"\)/g, (_m: string, path: string) => {
    const name = `runtime${helpers.size}`;
    if (!helpers.has(path)) helpers.set(path, name);
    return helpers.get(path)!;
  });
  if (/\brequire\(/.test(code)) throw new Error('standalone validator code still calls require()');
  const imports = [
    'import { fullFormats } from "ajv-formats/dist/formats.js";',
    ...[...helpers].map(([path, name]) => `import ${name} from "${path}.js";`),
  ];
  const { defs } = bundleSchemas({ dropRefSiblings: false });
  const body = code.replace(/^"use strict";/, '');
  const source = `${banner}${imports.join('\n')}\n${body}\n\n/** Every schema definition, refs rewritten to #/$defs/NAME; the kinds are defs named after them. */\nexport const schemaDefs = ${JSON.stringify(defs)};\n`;
  return asciiOnly(source);
}

/**
 * `source` with every character outside ASCII written as a \u escape. V8 keeps a module's source
 * for as long as the module lives, two bytes a character if a single one is outside Latin-1
 * (two '×' and four '…' in schema descriptions made this 586 KB file cost 1.17 MB of every
 * lint's heap, issue 17). Only the schema texts' strings hold such characters, and a \u escape
 * means the same there (and would in a comment, a regular expression or a name too).
 */
export function asciiOnly(source: string): string {
  return source.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
