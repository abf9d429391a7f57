// Lint of NotificationChannels and NotificationRules, table-driven like semantic-checks.test.ts:
// the manifests, and exactly the findings (rule and position) lint must report.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertFindings, file, group, lintText, manifest, policy, type ExpectedFinding } from './manifest-texts.ts';

const channel = (name: string, spec: string) => manifest('NotificationChannel', name, spec);
const rule = (name: string, spec: string) => manifest('NotificationRule', name, spec);
const teams = channel('ops', 'type: teams\nsecretRef: { file: /run/secrets/teams-url }');
const okGroup = group('g', 'policyRef: { name: p }\nselector: { tags: [a] }\ntimeZone: Europe/Paris');

const cases: [name: string, text: string, expect: ExpectedFinding[]][] = [
  ['a Teams channel with its URL in a file, and a rule naming it, lint clean', file(teams, rule('r', 'channelRef: { name: ops }\nevents: [RolloutStopped, UpdateFailed]')), []],
  ['a rule naming a channel that does not exist', file(teams, rule('r', 'channelRef: { name: opps }\nevents: [RolloutStopped]')), [['dangling-reference', 'opps']]],
  ['a rule filtering on groups and policies that exist', file(policy('p'), okGroup, teams, rule('r', 'channelRef: { name: ops }\nevents: [WaveFinished]\ngroupRefs: [{ name: g }]\npolicyRefs: [{ name: p }]')), []],
  ['a rule filtering on a group and a policy that do not exist', file(policy('p'), okGroup, teams, rule('r', 'channelRef: { name: ops }\nevents: [WaveFinished]\ngroupRefs: [{ name: gg }]\npolicyRefs: [{ name: pp }]')), [['dangling-reference', 'gg'], ['dangling-reference', 'pp']]],
  ['an event type that does not exist', file(teams, rule('r', 'channelRef: { name: ops }\nevents: [RolloutStoped]')), [['schema-enum', 'RolloutStoped']]],
  ['a rule without events', file(teams, rule('r', 'channelRef: { name: ops }\nevents: []')), [['schema-size', '[]']]],
  ['a URL written in the manifest is not a field: it belongs in a secret', file(channel('ops', 'type: slack\nurl: https://hooks.example/x\nsecretRef: { env: SLACK_URL }')), [['schema-unknown-field', 'url']]],
  ['a relative secret file', file(channel('ops', 'type: teams\nsecretRef: { file: secrets/url }')), [['schema-pattern', 'secrets/url']]],
  ['a secret reference with a file and an environment variable', file(channel('ops', 'type: teams\nsecretRef: { file: /x, env: TEAMS_URL }')), [['secret-ref-form', 'secretRef']]],
  ['a Kubernetes Secret without its key', file(channel('ops', 'type: teams\nsecretRef: { name: teams-webhook }')), [['secret-ref-form', 'secretRef']]],
  ['an empty secret reference', file(channel('ops', 'type: teams\nsecretRef: {}')), [['schema-size', '{}']]],
  ['a webhook channel must sign', file(channel('ops', 'type: webhook\nsecretRef: { env: HOOK_URL }')), [['webhook-without-signing-key', 'webhook']]],
  ['a webhook channel with its signing key in a Kubernetes Secret', file(channel('ops', 'type: webhook\nsecretRef: { env: HOOK_URL }\nsigningSecretRef: { name: hook, key: hmac }')), []],
  ['a Teams channel ignores a signing key', file(channel('ops', 'type: teams\nsecretRef: { env: TEAMS_URL }\nsigningSecretRef: { env: KEY }')), [['setting-ignored', 'signingSecretRef']]],
];

for (const [name, text, expect] of cases) test(name, () => assertFindings(text, expect));

test('messages say what to do', () => {
  const [dangling] = lintText(file(teams, rule('r', 'channelRef: { name: opps }\nevents: [RolloutStopped]')));
  assert.match(dangling!.message, /no NotificationChannel named 'opps' in the default namespace; did you mean 'ops'\?/);
  const [form] = lintText(file(channel('ops', 'type: teams\nsecretRef: { name: teams-webhook }')));
  assert.match(form!.message, /a Kubernetes Secret needs both name and key; add key/);
  const [webhook] = lintText(file(channel('ops', 'type: webhook\nsecretRef: { env: HOOK_URL }')));
  assert.match(webhook!.message, /add spec.signingSecretRef/);
});

test.run();
