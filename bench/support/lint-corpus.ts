// The lint benchmarks' corpus: generated UpdatePolicy, DeviceGroup and ScheduledUpdate files
// (20 %, 50 %, 30 %), one document each, about 5 % with an error (a misspelt key, a dangling
// policy, a misspelt zone, a wrong software type), the same for a given count on every run.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

let seed = 7;
const random = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
const zones = ['Europe/Paris', 'America/New_York', 'Europe/Lisbon', 'Asia/Tokyo', 'Australia/Sydney'];

function policy(i: number, broken: boolean): string {
  const phase = pick(['Test', 'General', 'Final']);
  return `# yaml-language-server: $schema=../schemas/updatepolicy.schema.json
apiVersion: firmwarden.dev/v1alpha1
kind: UpdatePolicy
metadata:
  name: policy-${i}
spec:
  description: Generated policy ${i} for the lint benchmark.
  software:
    firmware:
      mode: automatic
      ${broken ? 'phse' : 'phase'}: ${phase}
      versions:
        exclude: ["1.9.${i % 10}"]
    teamsClient:
      mode: automatic
      phase: ${phase}
  maintenanceWindows:
    - name: weeknights
      days: [Mon, Tue, Wed, Thu]
      start: "22:00"
      end: "05:00"
    - name: weekend
      days: [Sat]
      start: "00:00"
      duration: 48h
  freezes:
    - name: year-end
      start: "2026-12-18"
      end: "2027-01-04"
  rollout:
    waves:
      - name: canary
        percent: 5
      - name: early
        count: 10
    bakeTime: 24h
    maxConcurrent: 40
    failureThreshold:
      percent: 15
      minCompleted: 10
`;
}

function group(i: number, policies: number, broken: boolean): string {
  return `# yaml-language-server: $schema=../schemas/devicegroup.schema.json
apiVersion: firmwarden.dev/v1alpha1
kind: DeviceGroup
metadata:
  name: group-${i}
spec:
  description: Generated group ${i}.
  policyRef:
    name: policy-${broken ? 'missing' : Math.floor(random() * policies)}
  selector:
    tags: [site-${i % 50}]
    deviceTypes: [teamsRoom, collaborationBar]
    excludeTags: [lab]
  include: [device-${i}-a, device-${i}-b]
  priority: ${i % 100}
  license: ${pick(['Pro', 'Basic'])}
  timeZone: ${broken ? 'Europe/Pariss' : pick(zones)}
`;
}

function schedule(i: number, groups: number, broken: boolean): string {
  return `# yaml-language-server: $schema=../schemas/scheduledupdate.schema.json
apiVersion: firmwarden.dev/v1alpha1
kind: ScheduledUpdate
metadata:
  name: schedule-${i}
spec:
  description: Generated schedule ${i}.
  targets:
    groupRef:
      name: group-${Math.floor(random() * groups)}
  software:
    - type: teamsClient
      version: latest
    - type: ${broken ? 'teamsclient' : 'firmware'}
      version: "1.14.${i % 20}"
  at: "2026-12-${String(1 + (i % 28)).padStart(2, '0')}T21:00"
  timeZone: ${pick(zones)}
  respectMaintenanceWindows: ${i % 2 === 0}
`;
}

/** Writes `fileCount` manifests (one document each, about 5 % broken) into `dir`; how many are broken. */
export function generateLintCorpus(dir: string, fileCount: number): { errors: number } {
  seed = 7;
  const policies = Math.round(fileCount * 0.2);
  const groups = Math.round(fileCount * 0.5);
  let errors = 0;
  for (let i = 0; i < fileCount; i++) {
    const broken = random() < 0.05;
    if (broken) errors++;
    let text: string;
    let name: string;
    if (i < policies) [name, text] = [`policy-${i}.yaml`, policy(i, broken)];
    else if (i < policies + groups) [name, text] = [`group-${i - policies}.yaml`, group(i - policies, policies, broken)];
    else [name, text] = [`schedule-${i}.yaml`, schedule(i, groups, broken)];
    writeFileSync(join(dir, name), text);
  }
  return { errors };
}
