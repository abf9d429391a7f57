// Regenerates everything derived from schemas/: the CRDs, the TypeScript types, the field
// reference, and the schemas examples/ carries for editors (what `firmwarden schemas --write
// .firmwarden/schemas` writes). Run after changing a schema: `npm run generate`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { crdDir, generateCrds } from './gen/crds.ts';
import { crdKustomizationFile, generateCrdKustomization } from './gen/crd-kustomization.ts';
import { generateTypes, typesFile } from './gen/types.ts';
import { generateReference, referenceFile } from './gen/reference.ts';
import { generateValidators, validatorsFile } from './gen/validators.ts';
import { editorSchemaFiles, readShippedSchemas } from '../controller/cli/schemas.ts';

mkdirSync(crdDir, { recursive: true });
for (const { file, text } of generateCrds()) writeFileSync(join(crdDir, file), text);
writeFileSync(join(crdDir, crdKustomizationFile), generateCrdKustomization());
writeFileSync(typesFile, await generateTypes());
mkdirSync(dirname(referenceFile), { recursive: true });
writeFileSync(referenceFile, generateReference());
writeFileSync(validatorsFile, generateValidators());
// The examples' modelines name ../.firmwarden/schemas/<kind>.schema.json, so they work in any copy of examples/.
const examplesSchemaDir = new URL('../examples/.firmwarden/schemas/', import.meta.url).pathname;
mkdirSync(examplesSchemaDir, { recursive: true });
for (const { file, text } of editorSchemaFiles(await readShippedSchemas(), '.firmwarden/schemas')) writeFileSync(join(examplesSchemaDir, file), text);
process.stdout.write(`wrote ${crdDir}, ${typesFile}, ${referenceFile}, ${validatorsFile}, ${examplesSchemaDir}\n`);
