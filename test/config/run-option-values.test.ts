// Single values of run's options: branch names git and the command line cannot misread, and where the fleet report goes.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../../controller/config/usage-error.ts';
import { isBranchName, reportPath } from '../../controller/config/run-option-values.ts';

const Branches = suite('branch names');
for (const [name, expected] of [
  ['main', true], ['firmwarden/status', true], ['release-1.2_x', true],
  ['-x', false], ['a..b', false], ['status/', false], ['main.lock', false], ['has space', false], ['', false], ['ünïcode', false],
] as const) {
  Branches(`${JSON.stringify(name)}: ${expected ? 'accepted' : 'refused'}`, () => assert.is(isBranchName(name), expected));
}
Branches.run();

const Report = suite('the report path');
for (const [name, flag, off, path, expected] of [
  ['default: FLEET.md in --path', undefined, false, 'fleet', 'fleet/FLEET.md'],
  ['default at the root', undefined, false, '.', 'FLEET.md'],
  ['--path with backslashes', undefined, false, 'a\\b', 'a/b/FLEET.md'],
  ['--report as given, normalised', 'docs/./fleet.md', false, 'fleet', 'docs/fleet.md'],
  ['--no-report: none', undefined, true, '.', undefined],
] as const) {
  Report(name, () => assert.is(reportPath(flag, off, path), expected));
}
for (const [name, flag, off, path, message] of [
  ['both flags', 'F.md', true, '.', 'not both'],
  ['outside the root', '../F.md', false, '.', 'inside it'],
  ['absolute', '/tmp/F.md', false, '.', 'inside it'],
  ['a folder', 'docs/', false, '.', 'inside it'],
  ['inside .git', '.git/F.md', false, '.', 'inside .git'],
  ['a manifest name', 'fleet.yaml', false, '.', 'read it as a manifest'],
] as const) {
  Report(`refused: ${name}`, () => {
    try {
      reportPath(flag, off, path);
      assert.unreachable('no error');
    } catch (error) {
      assert.instance(error, UsageError);
      assert.match((error as Error).message, message);
    }
  });
}
Report.run();
