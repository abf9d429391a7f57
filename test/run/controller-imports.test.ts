// What a running controller keeps loaded (issue 17: a 10k-device controller under 150 MB): the
// source adapters load on demand, so a controller on a folder never loads the Git adapter and
// simple-git (~3 MB of resident memory), and one on Git never loads the folder watcher.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { staticGraph } from '../support/static-graph.ts';

test('the controller loads neither source adapter at start; it imports the one its source needs', () => {
  const graph = staticGraph('run/controller.ts');
  assert.ok(graph.has('reconcile/reconcile.ts'), 'the walk follows imports');
  assert.equal([...graph].filter((f) => /^sources\/(git-source|git-workspace|dir-source)\.ts$/.test(f)), []);
});

test.run();
