// The engine gives the plan the holidays the manifest loader read from .ics files: a folder
// holding a group, its calendar and a policy plans the holiday, by name, in the group's zone.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseManifestTexts } from '../../controller/manifest/parse-manifests.ts';
import { emptyState } from '../../controller/model/state.ts';
import { planFrom } from '../../controller/reconcile/engine.ts';
import { device, software } from '../plan/fixtures.ts';

const files = [
  { path: 'groups/akl.yaml', text: `apiVersion: firmwarden.dev/v1alpha1
kind: DeviceGroup
metadata:
  name: akl
spec:
  policyRef:
    name: rooms
  selector: {}
  timeZone: Pacific/Auckland
  holidays:
    calendars:
      - file: ../calendars/nz.ics
` },
  { path: 'policies/rooms.yaml', text: `apiVersion: firmwarden.dev/v1alpha1
kind: UpdatePolicy
metadata:
  name: rooms
spec:
  software:
    firmware:
      phase: Test
` },
  { path: 'calendars/nz.ics', text: 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:xmas\r\nDTSTART;VALUE=DATE:20271225\r\nRRULE:FREQ=YEARLY\r\nSUMMARY:Christmas Day\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' },
];

test('a calendar read with the manifests closes the group\'s window on its day', () => {
  // 01:00 on Saturday 25 December in Auckland: the weekend window is open, but it is Christmas.
  const now = Date.parse('2027-12-24T12:00:00Z');
  const d = device('room-1');
  const plan = planFrom({
    desired: parseManifestTexts(files, now),
    fleet: { devices: [d], software: new Map([[d.id, software(d.id, { firmware: ['1.0', '1.1'] })]]), readAt: new Map(), unreadable: new Map(), listedAt: now },
    state: { ...emptyState, releases: [{ model: 'Bar', softwareType: 'firmware', version: '1.1', firstSeen: now - 86_400_000 }] },
    now,
    outcomes: [],
  });
  assert.equal(plan.actions, []);
  assert.is(plan.devices[0]!.entries[0]!.reason.message, 'closed for Christmas Day (../calendars/nz.ics) in Pacific/Auckland; next window weekend (default) opens 2027-12-26 00:00 Pacific/Auckland');
});

test.run();
