// The config repository a chaos run starts from: every device in one of two groups on a policy
// that takes every release at once, at any hour (a window open all day), ten at a time, and
// never stops for failures.
// The controller runs on the real clock while the emulator's runs fast, so phases with a delay
// or closed windows would leave it with nothing to do.

/** Manifest files by path; a person's edits rewrite their spec.description. */
export const chaosConfigFiles: Readonly<Record<string, string>> = Object.freeze({
  'groups/rooms.yaml': `apiVersion: firmwarden.dev/v1alpha1
kind: DeviceGroup
metadata:
  name: rooms
spec:
  description: Meeting rooms of the chaos fleet.
  policyRef:
    name: fast
  selector:
    deviceTypes: [teamsRoom, collaborationBar, surfaceHub]
  priority: 20
  license: Pro
  timeZone: UTC
`,
  'groups/rest.yaml': `apiVersion: firmwarden.dev/v1alpha1
kind: DeviceGroup
metadata:
  name: rest
spec:
  description: Every other device of the chaos fleet.
  policyRef:
    name: fast
  selector: {}
  priority: 10
  license: Pro
  timeZone: UTC
`,
  'policies/fast.yaml': `apiVersion: firmwarden.dev/v1alpha1
kind: UpdatePolicy
metadata:
  name: fast
spec:
  description: Every release at once, at any hour.
  software:
    firmware:
      mode: automatic
      phase: Test
    teamsClient:
      mode: automatic
      phase: Test
  maintenanceWindows:
    # Without windows a policy gets the default ones (nights and weekends): open all day instead.
    - name: any-time
      start: "00:00"
      duration: 24h
  rollout:
    # Without waves a policy rolls out 1%, 10%, 50%, then the rest, a week apart: one wave instead.
    waves:
      - percent: 100
    maxConcurrent: 10
    failureThreshold:
      percent: 100
`,
});
