// `firmwarden run --dir` given no fleet flags and a folder declaring no Tenant, a real process:
// it starts, stalls every group and policy with NoFleetConnection and the sentence saying what
// to add, says so once in the log (no stack trace), and exits 0 on SIGTERM.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { start, stopAll, tail, type Proc } from '../kube/controller-process.ts';
import { eventually } from '../kube/clients.ts';

const rooms = `apiVersion: firmwarden.dev/v1alpha1
kind: UpdatePolicy
metadata:
  name: fast
spec:
  software:
    firmware: { mode: automatic, phase: Test }
  maintenanceWindows:
    - { name: always, days: [Mon, Tue, Wed, Thu, Fri, Sat, Sun], start: "00:00", end: "23:59" }
---
apiVersion: firmwarden.dev/v1alpha1
kind: DeviceGroup
metadata:
  name: rooms
spec:
  policyRef: { name: fast }
  selector: {}
`;

type Cond = { type: string; status: string; reason: string; message: string };

test('run --dir without fleet flags nor Tenants: every manifest stalls with NoFleetConnection; SIGTERM exits 0', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fw-run-no-fleet-'));
  const procs: Proc[] = [];
  try {
    const repo = join(dir, 'repo');
    await mkdir(repo, { recursive: true });
    await writeFile(join(repo, 'rooms.yaml'), rooms);
    const controller = start(['run', '--dir', repo, '--state', join(dir, 'state.json'), '--resync', '1s', '--log-format', 'json', '--log-level', 'debug']);
    procs.push(controller);
    const stalled = async (kind: string) => {
      const docs = parseAllDocuments(await readFile(join(repo, 'rooms.yaml'), 'utf8')).map((d) => d.toJS() as { kind: string; status?: { conditions?: Cond[] } });
      return docs.find((d) => d.kind === kind)?.status?.conditions?.find((c) => c.type === 'Stalled' && c.status === 'True');
    };
    for (const kind of ['UpdatePolicy', 'DeviceGroup']) {
      const c = await eventually(`${kind} to stall\n${tail(controller)}`, () => stalled(kind));
      assert.is(c.reason, 'NoFleetConnection');
      assert.match(c.message, 'no Tenant declared and no fleet connection given: add Tenants, or run with --tenant/--client-id/');
    }
    // Let a few resyncs pass: the log says it once.
    await eventually(`three reconciles\n${tail(controller)}`, async () => (controller.err.filter((l) => l.includes('"msg":"reconcile done"')).length >= 3 ? true : undefined));
    // Stalled once, the files are not written again at each pass.
    assert.is(controller.err.filter((l) => l.includes('status written into the files')).length, 1, tail(controller));
    controller.child.kill('SIGTERM');
    assert.is(await controller.exited, 0, tail(controller));
    const said = controller.err.filter((l) => l.includes('no Tenant declared and no fleet connection given'));
    assert.is(said.length, 1, tail(controller));
    assert.not.match(controller.err.join('\n'), /\n\s+at /, 'no stack trace');
  } finally {
    await stopAll(procs);
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
