// Lint of health soaks and evidence, table-driven like semantic-checks.test.ts: each case is a
// set of manifests and exactly the findings (rule and position) lint must report.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertFindings, file, group, lintText, policy, type ExpectedFinding } from './manifest-texts.ts';

const lab = group('lab', 'policyRef: { name: lab }\nselector: { tags: [lab] }\ntimeZone: Europe/Paris');
const labPolicy = policy('lab', 'software:\n  firmware: { phase: Test }');
const evidence = (type: string, rule: string, extra = '') => policy('p', `software:\n  ${type}:\n    ${extra}versions:\n      requireEvidence: ${rule}`);
const rooms = group('rooms', 'policyRef: { name: p }\nselector: { tags: [rooms] }\ntimeZone: Europe/Paris');

const cases: [name: string, text: string, expect: ExpectedFinding[]][] = [
  ['soaks of 1h and 30d, evidence from a lab with its own policy: fine', file(policy('p', 'rollout:\n  soak: { duration: 1h }\n  waves:\n    - { count: 2, soak: { duration: 30d, maxRegressions: 0 } }'), evidence('firmware', '{ group: lab, devices: 5, healthyFor: 7d }').replace('name: p', 'name: q'), lab, labPolicy), []],
  ['a 30-minute soak watches nothing', file(policy('p', 'rollout:\n  soak: { duration: 30m }')), [['health-duration', '30m']]],
  ['a wave soak of 31 days holds the next wave too long', file(policy('p', 'rollout:\n  waves:\n    - { count: 2, soak: { duration: 31d } }')), [['health-duration', '31d']]],
  ['evidence healthy for more than a year can never be met', file(evidence('firmware', '{ group: lab, devices: 5, healthyFor: 400d }'), lab, labPolicy), [['health-duration', '400d']]],
  ['evidence from a group that does not exist', file(evidence('firmware', '{ group: labb, devices: 5, healthyFor: 7d }'), lab, labPolicy), [['evidence-group-missing', 'labb']]],
  ['evidence from a group in another namespace does not resolve', file(evidence('firmware', '{ group: lab, devices: 5, healthyFor: 7d }'), lab.replace('name: lab', 'name: lab\n  namespace: other'), labPolicy.replace('name: lab', 'name: lab\n  namespace: other')), [['evidence-group-missing', 'lab,']]],
  ['evidence from the policy own group: it would wait for itself', file(evidence('firmware', '{ group: rooms, devices: 5, healthyFor: 7d }'), rooms), [['evidence-from-itself', 'rooms,']]],
  ['evidence on a manual type has no effect', file(evidence('teamsClient', '{ group: lab, devices: 5, healthyFor: 7d }'), lab, labPolicy), [['setting-ignored', 'requireEvidence']]],
  ['evidence on automatic teamsClient is fine', file(evidence('teamsClient', '{ group: lab, devices: 5, healthyFor: 7d }', 'mode: automatic\n    '), lab, labPolicy), []],
  ['the schema refuses a soak without duration and a negative maxRegressions', file(policy('p', 'rollout:\n  soak: { maxRegressions: -1 }')), [['schema-required', 'soak'], ['schema-range', '-1']]],
];
for (const [name, text, expect] of cases) test(name, () => assertFindings(text, expect));

test('the messages say why and what to do', () => {
  const missing = lintText(file(evidence('firmware', '{ group: labb, devices: 5, healthyFor: 7d }'), lab, labPolicy))[0]!;
  assert.match(missing.message, /no DeviceGroup named 'labb' in the default namespace; did you mean 'lab'\?: nothing could ever give the evidence/);
  const self = lintText(file(evidence('firmware', '{ group: rooms, devices: 5, healthyFor: 7d }'), rooms))[0]!;
  assert.match(self.message, /DeviceGroup 'rooms' \(m\.yaml:\d+\) follows this policy, so its devices would wait for evidence only they can give/);
  const short = lintText(file(policy('p', 'rollout:\n  soak: { duration: 30m }')))[0]!;
  assert.match(short.message, /only from 30 minutes after an update .*give at least 1h/);
});

test.run();
