// Starts go in chunks (issue 17): the whole reconcile against the emulator over loopback HTTP,
// with the real state file written durably. The state file is written once for the intents of
// each chunk of up to 20 starts and once for their results, not twice per device; and every
// updateSoftware POST the emulator received came after a durable write that held its intent.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../controller/model/clock.ts';
import { silentLogger } from '../../controller/log/logger.ts';
import { parseFleetOptions } from '../../controller/config/fleet-options.ts';
import { createFleet } from '../../controller/config/fleet-connection.ts';
import { DirSource } from '../../controller/sources/dir-source.ts';
import { parseManifestTexts } from '../../controller/manifest/parse-manifests.ts';
import { replaceStatus } from '../../controller/manifest/status-writer.ts';
import { FleetView } from '../../controller/reconcile/fleet-view.ts';
import { createReconciler } from '../../controller/reconcile/reconcile.ts';
import { createEngine } from '../../controller/reconcile/engine.ts';
import { startChunkSize } from '../../controller/reconcile/operations.ts';
import { FileStateStore } from '../../controller/state/file-state-store.ts';
import { nodeDurableFs, type DurableFs } from '../../controller/state/durable-write.ts';
import type { LedgerEntry } from '../../controller/model/state.ts';

const logger = silentLogger();
const minute = 60_000;
const start = Date.parse('2027-01-11T03:00:00Z');
const deviceTypes = ['ipPhone', 'teamsRoom', 'collaborationBar', 'teamsPanel', 'teamsDisplay', 'touchConsole', 'sip', 'lowCostPhone', 'surfaceHub', 'unknown'];

const policy = `apiVersion: firmwarden.dev/v1alpha1
kind: UpdatePolicy
metadata:
  name: converge
spec:
  software:
    firmware: { mode: automatic, phase: Test }
    teamsClient: { mode: automatic, phase: Test }
  maintenanceWindows:
    - { name: always, days: [Mon, Tue, Wed, Thu, Fri, Sat, Sun], start: "00:00", duration: 24h }
  rollout:
    waves: [{ percent: 100 }]
    maxConcurrent: 1000
    skipDevicesInUse: false
`;
const group = `apiVersion: firmwarden.dev/v1alpha1
kind: DeviceGroup
metadata:
  name: everything
spec:
  policyRef: { name: converge }
  selector:
    deviceTypes: [${deviceTypes.join(', ')}]
  timeZone: UTC
`;

/** One completed durable write of the state file: its ledger, and the last POST the emulator had logged by then. */
interface Write { readonly ledger: readonly LedgerEntry[]; readonly lastPostSeq: number }

test('one state write per chunk of starts for the intents, one for the results; every POST after its intent is on disk', async () => {
  const clock = new ManualClock(start);
  const { options } = parseFleetOptions(['--emulator', '--fleet-rate', '10000'], {});
  const conn = await createFleet(options, { logger, clock, emulator: { devices: 90, seed: 5, rateLimit: 0, failureRate: 0, durationJitter: 0, epoch: start } });
  const control = conn.emulator!.control;
  const dir = await mkdtemp(join(tmpdir(), 'fw-start-chunks-'));
  try {
    await writeFile(join(dir, 'policy.yaml'), policy);
    await writeFile(join(dir, 'group.yaml'), group);
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
    const source = new DirSource({ dir, replaceStatus, logger });
    const fleetView = new FleetView(conn.fleet, { clock, logger }, { maxAgeMs: 24 * 60 * minute, listIntervalMs: 24 * 60 * minute, chunk: 5000 });
    const reconcile = createReconciler({
      sync: (signal) => source.sync(signal),
      parse: (snapshot, now) => parseManifestTexts(snapshot.files, now),
      fleet: conn.fleet,
      fleetView,
      stateStore: new FileStateStore(statePath, { fs }),
      engine: createEngine({ statusDetail: 'summary' }),
      statusWriter: source,
      clock,
      logger,
      isStopping: () => false,
      pollIntervalMs: 10 * minute,
    });
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
