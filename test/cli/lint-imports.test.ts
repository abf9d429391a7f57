// What `firmwarden lint` loads: its static import graph from cli/lint.ts stays clear of the run
// command's options and the fleet connection (issue 17: start-up is a large part of linting
// 1,000 files, and those ~40 modules cost ~40 ms of it). And lint's option tables, which
// completion lists from cli/command-flags.ts, are the ones lint parses with.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as lintTables from '../../controller/cli/lint-flags.ts';
import * as commandTables from '../../controller/cli/command-flags.ts';
import { staticGraph } from '../support/static-graph.ts';

test('lint loads nothing of run, config (but its usage error), fleet, reconcile or notify', () => {
  const graph = staticGraph('cli/lint.ts');
  assert.ok(graph.has('manifest/parse-manifests.ts'), 'the walk follows imports');
  const unneeded = [...graph].filter((f) => /^(run|fleet|reconcile|notify|kube|server|state)\//.test(f) || (f.startsWith('config/') && f !== 'config/usage-error.ts') || f === 'cli/command-flags.ts');
  assert.equal(unneeded, []);
});

test("completion's lint tables are the ones lint parses with", () => {
  assert.equal(commandTables.lintFlags, lintTables.lintFlags);
  assert.equal(commandTables.lintFormats, lintTables.lintFormats);
  assert.equal(commandTables.formatAliases, lintTables.formatAliases);
});

test.run();
