// Child process of secret-rotation.test.ts (NODE_EXTRA_CA_CERTS must be set at start-up): the
// rotation scenario over https, through @azure/identity; prints its result as one JSON line.
import { readFileSync } from 'node:fs';
import { runRotationScenario } from './secret-rotation-scenario.ts';

const result = await runRotationScenario({ key: readFileSync(process.env.FIRMWARDEN_TEST_TLS_KEY!), cert: readFileSync(process.env.FIRMWARDEN_TEST_TLS_CERT!) });
process.stdout.write(`${JSON.stringify(result)}\n`);
