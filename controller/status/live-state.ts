// A device's state on the live page (the one of its updates that most needs attention), and devices counted by state.
import type { DevicePlan, PlanEntry } from '../model/plan.ts';
import { RefusalCodes } from '../model/plan.ts';

/** A device's state on the page, from the most to the least in need of attention; `notRead`: a member with no software read (not read yet, or it reports none). */
export const LiveStates = ['failed', 'refused', 'inProgress', 'blocked', 'waiting', 'upToDate', 'notRead'] as const;
export type LiveState = (typeof LiveStates)[number];
/** Devices in each state. */
export type LiveTally = Readonly<Record<LiveState, number>>;

/** Each state's words, in the order of LiveStates (the page's legend). */
export const liveStateText: Readonly<Record<LiveState, { readonly label: string; readonly hint: string }>> = {
  failed: { label: 'failed', hint: 'an update failed; not retried until a newer version or spec.resume' },
  refused: { label: 'refused', hint: 'firmwarden will not update it this way (downgrade, version unknown or not comparable, unknown firmware)' },
  inProgress: { label: 'in progress', hint: 'an update is running' },
  blocked: { label: 'blocked', hint: 'suspended, stopped rollout, or device offline' },
  waiting: { label: 'waiting', hint: "waiting for a maintenance window, a wave, a bake time or the phase's delay" },
  upToDate: { label: 'up to date', hint: 'on the version the rules want' },
  notRead: { label: 'software not read', hint: "the controller has not read this device's software yet, or the device reports none" },
};

const rank = new Map<LiveState, number>(LiveStates.map((s, i) => [s, i]));

function emptyTally(): Record<LiveState, number> {
  return { failed: 0, refused: 0, inProgress: 0, blocked: 0, waiting: 0, upToDate: 0, notRead: 0 };
}

/** The state one plan entry stands for. */
export function liveEntryState(entry: PlanEntry): LiveState {
  // A ScheduledUpdate refused beside another rule's decision still needs a person.
  if ((entry.refused?.length ?? 0) > 0 && entry.state !== 'failed') return 'refused';
  switch (entry.state) {
    case 'upToDate':
    case 'succeeded':
      return 'upToDate';
    case 'pending':
    case 'scheduled':
      return 'waiting';
    case 'inProgress':
      return 'inProgress';
    case 'failed':
      return 'failed';
    case 'blocked':
      return RefusalCodes.has(entry.reason.code) ? 'refused' : 'blocked';
  }
}

/** A device's state: the one of its entries that most needs attention (a failed Teams app beats an up-to-date firmware). */
export function liveDeviceState(device: DevicePlan): LiveState {
  let worst: LiveState = 'upToDate';
  for (const e of device.entries) {
    const s = liveEntryState(e);
    if (rank.get(s)! < rank.get(worst)!) worst = s;
  }
  return worst;
}

/** Devices counted by state; members with no plan (no software read) count as `notRead`. */
export function tallyOf(devices: Iterable<DevicePlan>, members: number): LiveTally {
  const t = emptyTally();
  let n = 0;
  for (const d of devices) {
    t[liveDeviceState(d)]++;
    n++;
  }
  t.notRead = Math.max(0, members - n);
  return t;
}
