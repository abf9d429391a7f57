// Regenerates everything derived from schemas/: the CRDs, the TypeScript types and the field
// reference. Run after changing a schema: `npm run generate`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { crdDir, generateCrds } from './gen/crds.ts';
import { crdKustomizationFile, generateCrdKustomization } from './gen/crd-kustomization.ts';
import { generateTypes, typesFile } from './gen/types.ts';
import { generateReference, referenceFile } from './gen/reference.ts';
import { generateValidators, validatorsFile } from './gen/validators.ts';

mkdirSync(crdDir, { recursive: true });
for (const { file, text } of generateCrds()) writeFileSync(join(crdDir, file), text);
writeFileSync(join(crdDir, crdKustomizationFile), generateCrdKustomization());
writeFileSync(typesFile, await generateTypes());
mkdirSync(dirname(referenceFile), { recursive: true });
writeFileSync(referenceFile, generateReference());
writeFileSync(validatorsFile, generateValidators());
process.stdout.write(`wrote ${crdDir}, ${typesFile}, ${referenceFile}, ${validatorsFile}\n`);
