// Lint of Tenants, table-driven like notification-checks.test.ts: the files, and exactly the
// findings (rule and position) lint must report. Then the wording: each message names where,
// what and what to do, and never a secret.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseManifests } from '../../controller/manifest/parse-manifests.ts';
import type { Finding } from '../../controller/manifest/finding.ts';
import { assertFindings, file, lintText, manifest, now, type ExpectedFinding } from './manifest-texts.ts';

const guid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const tenant = (name: string, namespace: string | undefined, id: string, credentials: string) =>
  manifest('Tenant', name, `tenantId: ${id}\nclientId: ${guid(99)}\ncredentials:\n${credentials.split('\n').map((l) => `  ${l}`).join('\n')}`, namespace);
const secretFile = (path: string) => `clientSecret:\n  secretRef: { file: ${path} }`;
const contoso = tenant('contoso', 'contoso', 'contoso.onmicrosoft.com', secretFile('/run/secrets/contoso'));
const fabrikam = tenant('fabrikam', 'fabrikam', guid(2), secretFile('/run/secrets/fabrikam'));
const policyIn = (ns: string) => manifest('UpdatePolicy', 'p', 'description: ok', ns);
const groupIn = (ns: string) => manifest('DeviceGroup', 'g', 'policyRef: { name: p }\nselector: { tags: [a] }\ntimeZone: Europe/Paris', ns);

/** Lints several files at once, so findings can point from one file to another. */
function lintFiles(files: Record<string, string>): Finding[] {
  return parseManifests(Object.entries(files).map(([path, text]) => ({ path, text })), { now }).findings;
}

const cases: [name: string, text: string, expect: ExpectedFinding[]][] = [
  ['two Tenants in their own namespaces, each with a group and a policy, lint clean', file(contoso, policyIn('contoso'), groupIn('contoso'), fabrikam, policyIn('fabrikam'), groupIn('fabrikam')), []],
  ['a Tenant with a certificate in a Kubernetes Secret', tenant('t', 'a', guid(1), 'certificate:\n  secretRef: { name: graph-cert, key: tls.pem }'), []],
  ['a Tenant with workload identity and the default token file', tenant('t', 'a', guid(1), 'workloadIdentity: {}'), []],
  ['a client secret written in the manifest is a schema error, at its value', tenant('t', 'a', guid(1), 'clientSecret: "abc"'), [['schema-type', '"abc"']]],
  ['a client secret as a field of its own does not exist', manifest('Tenant', 't', `tenantId: ${guid(1)}\nclientId: ${guid(9)}\nclientSecret: abc\ncredentials:\n  workloadIdentity: {}`, 'a'), [['schema-unknown-field', 'clientSecret']]],
  ['a secretRef with a value in it is not a secret reference', tenant('t', 'a', guid(1), 'clientSecret:\n  secretRef: { value: abc }'), [['schema-unknown-field', 'value']]],
  ['two ways to sign in at once', tenant('t', 'a', guid(1), 'clientSecret:\n  secretRef: { env: A_SECRET }\nworkloadIdentity: {}'), [['schema-size', 'clientSecret']]],
  ['no way to sign in', tenant('t', 'a', guid(1), '{}'), [['schema-size', '{}']]],
  ['a tenant id that is neither a GUID nor a domain', tenant('t', 'a', 'contoso', 'workloadIdentity: {}'), [['schema-pattern', 'contoso']]],
  ['an unknown cloud', manifest('Tenant', 't', `tenantId: ${guid(1)}\nclientId: ${guid(9)}\ncloud: Azure\ncredentials:\n  workloadIdentity: {}`, 'a'), [['schema-enum', 'Azure']]],
  ['a secret reference giving a file and a variable', tenant('t', 'a', guid(1), 'clientSecret:\n  secretRef: { file: /x, env: X }'), [['secret-ref-form', 'secretRef']]],
  ['a second Tenant in a namespace, in the same file', file(contoso, tenant('contoso-2', 'contoso', guid(3), secretFile('/run/secrets/other'))), [['tenant-twice-in-namespace', 'contoso', 6]]],
  ['two Tenants for one tenant id (case aside)', file(contoso, tenant('again', 'other', 'Contoso.onmicrosoft.com', secretFile('/run/secrets/other'))), [['tenant-credentials-shared', 'Contoso.onmicrosoft.com']]],
  ['two Tenants reading one secret file', file(contoso, tenant('f', 'fabrikam', guid(2), secretFile('/run/secrets//contoso'))), [['tenant-credentials-shared', 'secretRef', 2]]],
  ['two Tenants reading one environment variable, one as a certificate', file(tenant('a', 'a', guid(1), 'clientSecret:\n  secretRef: { env: GRAPH }'), tenant('b', 'b', guid(2), 'certificate:\n  secretRef: { env: GRAPH }')), [['tenant-credentials-shared', 'secretRef', 2]]],
  ['Secrets of the same name in two namespaces are two Secrets', file(tenant('a', 'a', guid(1), 'clientSecret:\n  secretRef: { name: graph, key: secret }'), tenant('b', 'b', guid(2), 'clientSecret:\n  secretRef: { name: graph, key: secret }')), []],
  ['one pod token for several tenants is how workload identity works', file(tenant('a', 'a', guid(1), 'workloadIdentity: {}'), tenant('b', 'b', guid(2), 'workloadIdentity: {}')), []],
  ['with a Tenant declared, a group and a policy of a namespace without one are warned, at their namespace', file(contoso, policyIn('fabrikam'), groupIn('fabrikam')), [['no-tenant-in-namespace', 'fabrikam', 1], ['no-tenant-in-namespace', 'fabrikam', 2]]],
  ['… and every kind a Tenant binds, in the default namespace at the name', file(contoso, manifest('ScheduledUpdate', 'su-one', 'targets: { deviceIds: [d1] }\nsoftware: [{ type: teamsClient }]'), manifest('NotificationChannel', 'chan-one', 'type: teams\nsecretRef: { env: URL }'), manifest('NotificationRule', 'rule-one', 'channelRef: { name: chan-one }\nevents: [RolloutStopped]')), [['no-tenant-in-namespace', 'su-one'], ['no-tenant-in-namespace', 'chan-one'], ['no-tenant-in-namespace', 'rule-one']]],
  ['without any Tenant, nothing is said about namespaces (today\'s single tenant)', file(policyIn('fabrikam'), groupIn('fabrikam')), []],
];

for (const [name, text, expect] of cases) test(name, () => assertFindings(text, expect));

test('credentials giving two ways to sign in are told to keep one', () => {
  const [finding] = lintText(tenant('t', 'a', guid(1), 'clientSecret:\n  secretRef: { env: A_SECRET }\nworkloadIdentity: {}'));
  assert.is(finding!.message, 'spec.credentials: give only one of clientSecret, certificate, workloadIdentity, not clientSecret and workloadIdentity');
});

test('a second Tenant in a namespace is an error naming both files and lines, and what to do', () => {
  const findings = lintFiles({ 'tenants/contoso.yaml': contoso, 'tenants/contoso-copy.yaml': `# copied\n${tenant('copy', 'contoso', guid(7), secretFile('/run/secrets/copy'))}` });
  assert.equal(findings.map((f) => `${f.file}:${f.line} ${f.rule} ${f.severity}`), ['tenants/contoso-copy.yaml:6 tenant-twice-in-namespace error']);
  assert.is(
    findings[0]!.message,
    "namespace contoso already has Tenant 'contoso' (tenants/contoso.yaml:1); this is a second one (tenants/contoso-copy.yaml:2). A namespace is one tenant: move Tenant 'copy' and its manifests to a namespace of their own, or delete one of the two",
  );
});

test('shared credentials name the other Tenant, where it is and where the credential is read, never a value', () => {
  const findings = lintFiles({ 'a.yaml': contoso, 'b.yaml': tenant('fab', 'fabrikam', 'contoso.onmicrosoft.com', secretFile('/run/secrets/contoso')) });
  assert.equal(findings.map((f) => `${f.file}:${f.line} ${f.rule}`), ['b.yaml:7 tenant-credentials-shared', 'b.yaml:11 tenant-credentials-shared']);
  assert.match(findings[0]!.message, "tenant contoso.onmicrosoft.com is also declared by Tenant 'contoso' in namespace contoso (a.yaml:1); one Microsoft 365 tenant is one Tenant: keep its manifests in one namespace and delete the other Tenant");
  assert.match(findings[1]!.message, "Tenant 'contoso' (a.yaml:1) also reads its credential from the file /run/secrets/contoso; credentials are never shared between tenants: keep this tenant's credential in a place of its own");
});

test('a manifest without a Tenant is told which namespace, where Tenants are, and what to do', () => {
  const [warning] = lintFiles({ 'contoso.yaml': contoso, 'groups/stray.yaml': groupIn('stray') });
  assert.is(`${warning!.file}:${warning!.line} ${warning!.rule} ${warning!.severity}`, 'groups/stray.yaml:5 no-tenant-in-namespace warning');
  assert.is(
    warning!.message,
    "no Tenant in namespace stray, so this DeviceGroup acts on no tenant's devices (Tenants are declared in namespace contoso); add a Tenant to namespace stray, or move the manifest into the namespace of its tenant",
  );
});

test('lint of a few files sees the Tenants of the files read for reference, and judges only the files given', () => {
  const context = [{ path: 'tenants.yaml', text: file(contoso, contoso.replace('name: contoso', 'name: again')) }];
  const given = (text: string) => parseManifests([{ path: 'g.yaml', text }], { now, context }).findings.map((f) => `${f.rule}@${f.line}`);
  assert.equal(given(file(groupIn('contoso'), policyIn('contoso'))), [], 'the namespace has its Tenant; the two in tenants.yaml are not this lint\'s to judge');
  // A Tenant read only for reference may be another configuration's (examples/ beside
  // examples-msp/ in one repository): it does not make Tenants "declared" for the files given.
  assert.equal(given(policyIn('stray')), []);
  assert.equal(given(file(policyIn('stray'), tenant('c4', 'other', guid(9), secretFile('/run/secrets/c4')))), ['no-tenant-in-namespace@5'], 'a Tenant among the files given does');
  assert.equal(given(tenant('c2', 'contoso', guid(8), secretFile('/run/secrets/c2'))), ['tenant-twice-in-namespace@5']);
  assert.equal(given(tenant('c3', 'elsewhere', 'contoso.onmicrosoft.com', secretFile('/run/secrets/contoso'))), ['tenant-credentials-shared@7', 'tenant-credentials-shared@11']);
});

test.run();
