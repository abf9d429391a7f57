// The UpdatePolicy the rooms tests share: firmware and the Teams app automatic, one wave,
// weekday office hours (08:00–18:00 local), optionally meeting-aware. Only what the tests vary
// is a parameter.

export interface OfficeHoursPolicy {
  readonly name: string;
  readonly phase: 'Test' | 'General' | 'Final';
  readonly maxConcurrent: number;
  /** Leave out for a policy that ignores meetings; `marginMinutes` undefined keeps the default. */
  readonly meetings?: { readonly marginMinutes?: number };
}

/** The policy's YAML text. */
export function officeHoursPolicy(p: OfficeHoursPolicy): string {
  const meetings = p.meetings === undefined
    ? ''
    : `    meetings:\n      avoid: true\n${p.meetings.marginMinutes === undefined ? '' : `      marginMinutes: ${p.meetings.marginMinutes}\n`}`;
  return `apiVersion: firmwarden.dev/v1alpha1
kind: UpdatePolicy
metadata:
  name: ${p.name}
spec:
  software:
    firmware:
      mode: automatic
      phase: ${p.phase}
    teamsClient:
      mode: automatic
      phase: ${p.phase}
  maintenanceWindows:
    - name: office-hours
      days: [Mon, Tue, Wed, Thu, Fri]
      start: "08:00"
      end: "18:00"
  rollout:
    waves:
      - name: all
        percent: 100
    maxConcurrent: ${p.maxConcurrent}
${meetings}`;
}
