// `firmwarden run`'s live view flags: on by default on loopback, off elsewhere unless --ui or a
// token; the token from a file (read again on rotation) or FIRMWARDEN_UI_TOKEN, never shown.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect, parseArgs } from 'node:util';
import { UsageError } from '../../controller/config/usage-error.ts';
import { resolveRunSourceOptions } from '../../controller/config/run-options.ts';
import { runSourceFlags } from '../../controller/config/run-flags.ts';

const resolveArgs = (args: string[], env: Record<string, string> = {}, cwd = '/work') =>
  resolveRunSourceOptions(parseArgs({ args, options: runSourceFlags, strict: true }).values, env, cwd);

const Ui = suite('live view options');
for (const [args, env, mode] of [
  [['--dir', 'd'], {}, 'open'],
  [['--dir', 'd', '--listen', '[::1]:9000'], {}, 'open'],
  [['--dir', 'd', '--listen', '0.0.0.0:8080'], {}, 'off'],
  [['--dir', 'd', '--listen', ':8080'], {}, 'off'],
  [['--dir', 'd', '--listen', '0.0.0.0:8080', '--ui'], {}, 'open'],
  [['--dir', 'd', '--listen', '0.0.0.0:8080'], { FIRMWARDEN_UI: 'true' }, 'open'],
  [['--dir', 'd', '--listen', '0.0.0.0:8080'], { FIRMWARDEN_UI_TOKEN: 'a-token-of-sixteen+' }, 'token'],
  [['--dir', 'd'], { FIRMWARDEN_UI_TOKEN: 'a-token-of-sixteen+' }, 'token'],
] as const) {
  Ui(`${args.slice(2).join(' ') || 'default listen'}${Object.keys(env).length ? ` with ${Object.keys(env).join()}` : ''}: ${mode}`, async () => {
    const options = await resolveArgs([...args], { ...env });
    assert.is(options.http.ui?.mode, mode);
  });
}

Ui('the token file is read and trimmed, applies after rotation, and is never shown', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-ui-opt-'));
  try {
    const file = join(dir, 'ui-token');
    writeFileSync(file, 'first-token-value-0123\n');
    const options = await resolveArgs(['--dir', '.', '--listen', '0.0.0.0:8080', '--ui-token-file', file], {}, dir);
    const ui = options.http.ui;
    assert.is(ui?.mode, 'token');
    assert.is(ui?.mode === 'token' && ui.token.reveal(), 'first-token-value-0123');
    writeFileSync(file, 'second-token-value-4567, longer\n');
    assert.is(ui?.mode === 'token' && ui.token.reveal(), 'second-token-value-4567, longer');
    const shown = `${JSON.stringify(options)} ${inspect(options, { depth: 9, showHidden: true })}`;
    assert.not.match(shown, 'token-value');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Ui('a short or unreadable token is a usage error naming the flag', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-ui-opt-'));
  try {
    writeFileSync(join(dir, 'short'), 'short\n');
    for (const [args, env, message] of [
      [['--ui-token-file', join(dir, 'short')], {}, /--ui-token-file .*short: the live view token must be at least 16 characters/],
      [['--ui-token-file', join(dir, 'missing')], {}, /cannot read --ui-token-file .*missing: ENOENT/],
      [[], { FIRMWARDEN_UI_TOKEN: 'short' }, /FIRMWARDEN_UI_TOKEN: the live view token must be at least 16/],
    ] as const) {
      await resolveArgs(['--dir', '.', ...args], { ...env }, dir).then(
        () => assert.unreachable('accepted'),
        (e: unknown) => {
          assert.instance(e, UsageError);
          assert.match((e as Error).message, message);
        },
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Ui.run();
