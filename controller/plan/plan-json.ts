// The plan as a JSON document for tools: every row, not cut at a limit, times as RFC 3339. Pure.
import { deviceLabel, groupRows, modelOf, refusalRows, type PlanView } from './plan-rows.ts';

/** The plan as a JSON document (times as RFC 3339). */
export function planToJson(view: PlanView): unknown {
  const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  const { plan } = view;
  return {
    now: iso(plan.now),
    fleet: view.fleet,
    invalid: view.invalid,
    groups: groupRows(plan).map((g) => ({ name: g.name, policy: g.policy, phase: g.phase, devices: g.devices, counts: g.counts })),
    devices: plan.devices.map((d) => ({
      deviceId: d.deviceId,
      name: deviceLabel(view.devices, d.deviceId),
      model: modelOf(view.devices, d.deviceId),
      group: d.group,
      policy: d.policy,
      wave: d.wave,
      software: d.entries.map((e) => ({ ...e, earliestStart: iso(e.earliestStart), clamp: e.clamp && { ...e.clamp, requestedTime: iso(e.clamp.requestedTime), effectiveTime: iso(e.clamp.effectiveTime) }, failure: e.failure && { ...e.failure, time: iso(e.failure.time) } })),
    })),
    actions: plan.actions.map((a) => ({ ...a, earliestStart: iso(a.earliestStart) })),
    refusals: refusalRows(plan).map((r) => ({
      deviceId: r.device.deviceId,
      name: deviceLabel(view.devices, r.device.deviceId),
      softwareType: r.entry.softwareType,
      scheduledUpdate: r.refusal.scheduledUpdate,
      currentVersion: r.entry.currentVersion,
      version: r.refusal.version,
      reason: r.refusal.reason,
    })),
    conflicts: plan.conflicts,
    unmanaged: plan.unmanaged,
    nextActionTime: iso(plan.nextActionTime),
    ...(view.forecast ? { forecast: { from: iso(view.forecast.from), to: iso(view.forecast.to), truncated: view.forecast.truncated, events: view.forecast.events.map((e) => ({ time: iso(e.time), ...e.action, earliestStart: undefined })) } } : {}),
  };
}
