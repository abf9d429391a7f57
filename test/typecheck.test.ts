// The whole project type-checks under the strict tsconfig: Node runs the TypeScript without
// checking it, so this is where a type error fails CI.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';

test('tsc --noEmit reports no error', () => {
  const root = new URL('..', import.meta.url).pathname;
  const result = spawnSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.json`, '--noEmit'], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.is(result.status, 0, `${result.stdout}${result.stderr}`);
});

test.run();
