// End to end: a push to a real remote, a signed webhook, and the Git source syncing at once.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Registry } from 'prom-client';
import { silentLogger } from '../../controller/log/logger.ts';
import { startHttpServer } from '../../controller/server/http-server.ts';
import { createMetrics } from '../../controller/server/metrics.ts';
import { ReadinessGate } from '../../controller/server/readiness.ts';
import { signWebhookBody } from '../../controller/server/webhook-auth.ts';
import { GitSource } from '../../controller/sources/git-source.ts';
import type { Snapshot } from '../../controller/model/source.ts';
import { commitFiles, git, startGitRemote } from '../support/git-remote.ts';
import { replaceStatus } from '../../controller/manifest/status-writer.ts';

const e2e = suite('webhook → sync');

e2e('a signed push webhook makes the source sync the new commit; a bad secret does nothing', async () => {
  const remote = await startGitRemote({ files: { 'groups/lab.yaml': 'kind: DeviceGroup\nmetadata:\n  name: lab\n' } });
  const metrics = createMetrics(new Registry(), { processMetrics: false });
  const source = await GitSource.create({ repo: remote.url, intervalMs: 0, logger: silentLogger(), metrics, status: { replaceStatus } });
  const server = await startHttpServer({
    port: 0,
    metrics,
    readiness: new ReadinessGate(),
    webhook: { secret: 'hook', branch: 'main', onTrigger: () => source.requestSync('webhook') },
    logger: silentLogger(),
  });
  const synced: Snapshot[] = [];
  let onSynced: () => void = () => undefined;
  source.subscribe(() => {
    void source.sync().then((s) => {
      synced.push(s);
      onSynced();
    });
  });
  try {
    const first = await source.sync();
    const person = remote.clonePerson('ada');
    const pushed = commitFiles(person, { 'groups/lab.yaml': 'kind: DeviceGroup\nmetadata:\n  name: lab\nspec: {paused: true}\n' }, 'pause');
    git(person, ['push', '-q']);
    const body = JSON.stringify({ ref: 'refs/heads/main', after: pushed });

    const bad = await fetch(`${server.url}/hooks/git`, { method: 'POST', headers: { 'x-hub-signature-256': signWebhookBody('nope', body) }, body });
    assert.is(bad.status, 401);
    assert.is(source.lastSnapshot?.revision, first.revision);

    const done = new Promise<void>((resolve) => (onSynced = resolve));
    const good = await fetch(`${server.url}/hooks/git`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody('hook', body) }, body });
    assert.is(good.status, 202);
    await done;
    assert.is(synced.length, 1);
    assert.is(synced[0]!.revision, pushed);
    assert.ok(synced[0]!.specChanged);
    const text = await metrics.registry.metrics();
    assert.match(text, 'firmwarden_webhook_requests_total{result="accepted"} 1');
    assert.match(text, 'firmwarden_webhook_requests_total{result="rejected"} 1');
    assert.match(text, 'firmwarden_source_sync_total{result="success"} 2');
  } finally {
    await server.close();
    await source.close();
    await remote.close();
  }
});

e2e.run();
