// What the converge benchmark asks of the fleet, and how it tells it is done: one policy and
// one group wanting firmware and the Teams app at the newest version on every device at once,
// and the updates the emulator's device list still shows as behind.

/** A device as GET /_emulator/devices lists it (the fields used here). */
export interface EmulatedDevice {
  readonly id: string;
  readonly healthStatus: string;
  readonly unknownFirmware: boolean;
  readonly software: Readonly<Record<string, { readonly currentVersion: string | null; readonly availableVersion: string | null } | undefined>>;
}

export const convergedTypes = ['firmware', 'teamsClient'] as const;

/** (device, software type) pairs still behind: an available version other than the current one, on a device that is not offline. */
export function pendingUpdates(devices: readonly EmulatedDevice[]): { deviceId: string; softwareType: string }[] {
  const out: { deviceId: string; softwareType: string }[] = [];
  for (const d of devices) {
    if (d.healthStatus === 'offline') continue;
    for (const type of convergedTypes) {
      if (type === 'firmware' && d.unknownFirmware) continue;
      const s = d.software[type];
      if (s?.availableVersion && s.availableVersion !== s.currentVersion) out.push({ deviceId: d.id, softwareType: type });
    }
  }
  return out;
}

const everyType = ['ipPhone', 'teamsRoom', 'collaborationBar', 'teamsPanel', 'teamsDisplay', 'touchConsole', 'sip', 'lowCostPhone', 'surfaceHub', 'unknown'];

/** The manifest folder, file name → text. */
export function convergeManifests(): Record<string, string> {
  return {
    'policy.yaml': `apiVersion: firmwarden.dev/v1alpha1
kind: UpdatePolicy
metadata:
  name: converge
spec:
  description: Everything at the newest version at once (benchmark).
  software:
    firmware: { mode: automatic, phase: Test }
    teamsClient: { mode: automatic, phase: Test }
  maintenanceWindows:
    - { name: always, days: [Mon, Tue, Wed, Thu, Fri, Sat, Sun], start: "00:00", duration: 24h }
  rollout:
    waves: [{ percent: 100 }]
    maxConcurrent: 10000
    skipDevicesInUse: false
`,
    'group.yaml': `apiVersion: firmwarden.dev/v1alpha1
kind: DeviceGroup
metadata:
  name: everything
spec:
  policyRef: { name: converge }
  selector:
    deviceTypes: [${everyType.join(', ')}]
  timeZone: UTC
`,
  };
}
