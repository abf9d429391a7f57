// resolveLocal around every offset change of 2026 in every zone the runtime knows, against
// the rule itself: a wall time resolves to the earliest instant whose local time is not before
// it (so a time in a gap opens at the change, and a repeated time takes its first occurrence).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveLocal, toLocal, type LocalDateTime } from '../../controller/policy/zoned-time.ts';

const wallOf = (l: LocalDateTime) => Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);

test('every 2026 transition of every zone: the earliest instant not before the wall time', () => {
  let checked = 0;
  for (const zone of Intl.supportedValuesOf('timeZone')) {
    let at: Temporal.ZonedDateTime | null = Temporal.ZonedDateTime.from(`2026-01-01T00:00[${zone}]`);
    while ((at = at.getTimeZoneTransition('next')) && at.year === 2026) {
      const change = at.epochMilliseconds;
      // Wall times from 3 h before to 3 h after the change's local reading, every 15 minutes.
      const around = wallOf(toLocal(change, zone));
      for (let wall = around - 3 * 3_600_000; wall <= around + 3 * 3_600_000; wall += 15 * 60_000) {
        const d = new Date(wall);
        const local = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: 0 };
        const r = resolveLocal(local, zone);
        const label = `${zone} ${d.toISOString().slice(0, 16)}`;
        assert.ok(wallOf(toLocal(r, zone)) >= wall, `${label}: resolves before the wall time`);
        // Nothing earlier reads that late: local time only jumps at changes, so the second
        // before the result and the second before each change within a day before are enough.
        for (const t of [r - 1000, change - 1000, change - 1]) {
          if (t < r && t > r - 86_400_000) assert.ok(wallOf(toLocal(t, zone)) < wall, `${label}: ${new Date(t).toISOString()} already reads it`);
        }
        checked++;
      }
    }
  }
  assert.ok(checked > 5000, `only ${checked} wall times checked`);
});

test.run();
