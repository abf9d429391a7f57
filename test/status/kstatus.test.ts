// The kstatus helper itself, rule by rule, so the contract tests lean on something checked.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { kstatusOf } from './kstatus.ts';

const c = (type: string, status: string, reason = `${type}${status}`) => ({ type, status, reason, message: `${type} is ${status}` });

test('kstatus rules, in the order kstatus applies them', () => {
  const cases: [name: string, object: Parameters<typeof kstatusOf>[0], expected: string][] = [
    ['being deleted wins over everything', { metadata: { generation: 1, deletionTimestamp: '2026-01-01T00:00:00Z' }, status: { observedGeneration: 1, conditions: [c('Stalled', 'True')] } }, 'Terminating'],
    ['a newer generation than observed is InProgress even when Stalled', { metadata: { generation: 2 }, status: { observedGeneration: 1, conditions: [c('Stalled', 'True')] } }, 'InProgress:LatestGenerationNotObserved'],
    ['no observedGeneration: the generation rule is skipped', { metadata: { generation: 2 }, status: { conditions: [c('Ready', 'True')] } }, 'Current:ReadyTrue'],
    ['Reconciling=True is InProgress', { metadata: { generation: 1 }, status: { observedGeneration: 1, conditions: [c('Ready', 'False'), c('Reconciling', 'True')] } }, 'InProgress:ReconcilingTrue'],
    ['Stalled=True is Failed with its reason', { status: { conditions: [c('Ready', 'False', 'UpdatesFailed'), c('Reconciling', 'False'), c('Stalled', 'True', 'UpdatesFailed')] } }, 'Failed:UpdatesFailed'],
    ['Reconciling and Stalled both True: the first in the list decides', { status: { conditions: [c('Stalled', 'True'), c('Reconciling', 'True')] } }, 'Failed:StalledTrue'],
    ['Ready=True alone is Current', { status: { conditions: [c('Ready', 'True'), c('Reconciling', 'False'), c('Stalled', 'False')] } }, 'Current:ReadyTrue'],
    ['Ready=False with neither Reconciling nor Stalled True is InProgress, forever', { status: { conditions: [c('Ready', 'False', 'UpdatesFailed'), c('Reconciling', 'False'), c('Stalled', 'False')] } }, 'InProgress:UpdatesFailed'],
    ['Ready=Unknown is InProgress', { status: { conditions: [c('Ready', 'Unknown')] } }, 'InProgress:ReadyUnknown'],
    ['no known condition is Current', { status: { conditions: [c('Synced', 'False')] } }, 'Current:'],
    ['no status at all is Current', {}, 'Current:'],
  ];
  for (const [name, object, expected] of cases) {
    const r = kstatusOf(object);
    assert.is(r.status === 'Terminating' ? r.status : `${r.status}:${r.reason}`, expected, name);
  }
});

test.run();
