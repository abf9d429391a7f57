// A status's Ready and Stalled conditions as the live page reads them, whatever shape the status has.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { conditionsOf } from '../../controller/status/live-conditions.ts';

const ready = { type: 'Ready', status: 'False', reason: 'Waiting', message: 'window closed' };
const Read = suite('conditions of a status');
for (const [name, status, expected] of [
  ['no status', undefined, { ready: undefined, stalled: undefined }],
  ['null status', null, { ready: undefined, stalled: undefined }],
  ['conditions not a list', { conditions: 'Ready' }, { ready: undefined, stalled: undefined }],
  ['Ready only', { conditions: [ready] }, { ready: { status: 'False', reason: 'Waiting', message: 'window closed' }, stalled: undefined }],
  ['both, in any order', { conditions: [{ type: 'Stalled', status: 'True', reason: 'Invalid', message: 'bad' }, ready] }, { ready: { status: 'False', reason: 'Waiting', message: 'window closed' }, stalled: { status: 'True', reason: 'Invalid', message: 'bad' } }],
  ['missing fields read as empty text', { conditions: [null, { type: 'Ready' }] }, { ready: { status: '', reason: '', message: '' }, stalled: undefined }],
  ['other types ignored', { conditions: [{ type: 'Reconciling', status: 'True' }] }, { ready: undefined, stalled: undefined }],
] as const) {
  Read(name, () => assert.equal(conditionsOf(status), expected));
}
Read.run();
