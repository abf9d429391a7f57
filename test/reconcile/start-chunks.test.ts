// Starts go in chunks (issue 17): the whole reconcile against the emulator over loopback HTTP,
// with the real state file written durably. The state file is written once for the intents of
// each chunk of up to 20 starts and once for their results, not twice per device; and every
// updateSoftware POST the emulator received came after a durable write that held its intent.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startChunkSize } from '../../controller/reconcile/operations.ts';
import { FileStateStore } from '../../controller/state/file-state-store.ts';
import { nodeDurableFs, type DurableFs } from '../../controller/state/durable-write.ts';
import type { LedgerEntry } from '../../controller/model/state.ts';
import { convergeReconciler, openConvergeFleet } from '../support/converge-reconcile.ts';

/** One completed durable write of the state file: its ledger, and the last POST the emulator had logged by then. */
interface Write { readonly ledger: readonly LedgerEntry[]; readonly lastPostSeq: number }

test('one state write per chunk of starts for the intents, one for the results; every POST after its intent is on disk', async () => {
  const fleet = await openConvergeFleet(90, 5, 'fw-start-chunks-');
  const { conn, control, dir } = fleet;
  try {
    const statePath = join(dir, 'state', 'state.json');
    const writes: Write[] = [];
    const lastPostSeq = () => Math.max(0, ...control.actionLog({ action: 'updateSoftware' }).map((p) => p.seq));
    // The rename is the moment a durable write lands: read back what is on disk then.
    const fs: DurableFs = {
      ...nodeDurableFs,
      rename: async (from, to) => {
        await nodeDurableFs.rename(from, to);
        if (to === statePath) writes.push({ ledger: JSON.parse(readFileSync(statePath, 'utf8')).ledger, lastPostSeq: lastPostSeq() });
      },
    };
    const reconcile = convergeReconciler(fleet, new FileStateStore(statePath, { fs }));
    await reconcile({ reconcileId: 1, signal: new AbortController().signal });

    const posts = control.actionLog({ action: 'updateSoftware' });
    const chunks = Math.ceil(posts.length / startChunkSize);
    assert.ok(posts.length > 2 * startChunkSize, `${posts.length} starts: enough for several chunks`);
    assert.is(new Set(posts.map((p) => p.deviceId)).size, posts.length, 'one update per device at a time');
    // Per chunk an intent write and a result write, and the pass's own save at the end.
    assert.is(writes.length, 2 * chunks + 1, `${writes.length} durable writes for ${posts.length} starts in ${chunks} chunks`);
    const intentWrites = writes.filter((w) => w.ledger.some((e) => e.state === 'starting'));
    assert.is(intentWrites.length, chunks, 'one write holds the intents of a whole chunk');
    for (const post of posts) {
      const before = writes.filter((w) => w.lastPostSeq < post.seq);
      const intent = before.some((w) => w.ledger.some((e) => e.deviceId === post.deviceId && e.softwareType === post.softwareType && e.version === post.requestedVersion));
      assert.ok(intent, `the POST for ${post.deviceId} ${post.softwareType} came before any write of its intent`);
    }
    const final = writes.at(-1)!.ledger;
    assert.is(final.filter((e) => e.operationId !== undefined).length, posts.length, 'every start recorded with its operation');
    assert.is(final.filter((e) => e.state === 'starting').length, 0, 'no intent left');
  } finally {
    await conn.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
