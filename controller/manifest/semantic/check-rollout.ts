// Rollout waves: each gives a percent or a count (not both, not neither), and the percents
// leave room in 100.
import type { Check } from './context.ts';
import { validOf } from './context.ts';

/** wave-size and waves-over-100-percent. */
export const checkWaves: Check = (ctx) => {
  for (const policy of validOf(ctx, 'UpdatePolicy')) {
    const waves = policy.manifest.spec.rollout?.waves;
    if (!waves) continue;
    let total = 0;
    waves.forEach((w, i) => {
      const at = ['spec', 'rollout', 'waves', i];
      const label = w.name ? `wave '${w.name}'` : `wave ${i + 1}`;
      if (w.percent !== undefined && w.count !== undefined) {
        ctx.report(policy, [...at, 'count'], 'key', 'wave-size', `${label} gives both percent and count; keep one of them`);
      } else if (w.percent === undefined && w.count === undefined) {
        ctx.report(policy, at, 'start', 'wave-size', `${label} gives neither percent nor count; add one (percent: 10 or count: 5)`);
      }
      total += w.percent ?? 0;
    });
    // Rounded to hide floating-point noise (33.3 + 33.3 + 33.4).
    if (Math.round(total * 1000) / 1000 > 100) {
      ctx.report(policy, ['spec', 'rollout', 'waves'], 'key', 'waves-over-100-percent', `the wave percents add up to ${Math.round(total * 1000) / 1000}, more than 100; devices left after the last wave form one more wave by themselves`);
    }
  }
};
