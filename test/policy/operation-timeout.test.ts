import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultOperationTimeoutMs, operationTimeoutMs } from '../../controller/policy/operation-timeout.ts';
import { policy } from '../plan/fixtures.ts';

const minute = 60_000;

const cases: [string, Parameters<typeof operationTimeoutMs>[0], number][] = [
  ['a device under no policy gets the default of 4 hours', undefined, 240 * minute],
  ['a policy without rollout settings gets the default', policy('p', {}), defaultOperationTimeoutMs],
  ['a policy with rollout settings but no timeout gets the default', policy('p', { rollout: { maxConcurrent: 3 } }), defaultOperationTimeoutMs],
  ['the policy\'s operationTimeout, in the manifests\' duration format', policy('p', { rollout: { operationTimeout: '1h30m' } }), 90 * minute],
  ['days count whole', policy('p', { rollout: { operationTimeout: '2d' } }), 2 * 1440 * minute],
];
for (const [what, p, expected] of cases) test(what, () => assert.is(operationTimeoutMs(p), expected));

test.run();
