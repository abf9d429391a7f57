// `firmwarden completion bash|zsh|powershell`, each script run by its real shell where this
// machine has one: bash through its completion function and compgen, zsh end to end through a
// pseudo-terminal (zpty: compinit, the script, a typed line and TAB), PowerShell by structure
// (pwsh is not in Debian). The flags offered are checked against each command's own --help.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, run } from './lint-support.ts';

const commands = ['lint', 'plan', 'why', 'demo', 'run', 'emulator', 'schemas', 'completion'];
let tmp = '';
const scripts: Record<string, string> = {};

async function script(shell: string): Promise<string> {
  if (scripts[shell] === undefined) {
    const r = await run(['completion', shell]);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stderr, '');
    scripts[shell] = r.stdout;
  }
  return scripts[shell];
}

const cli = suite('firmwarden completion');

cli('no shell, an unknown shell or two shells: one sentence, exit 2', async () => {
  for (const [args, message] of [
    [['completion'], /name a shell: bash, zsh or powershell/],
    [['completion', 'bsh'], /no completion for 'bsh'; did you mean bash\?/],
    [['completion', 'fish'], /no completion for 'fish'/],
    [['completion', 'bash', 'zsh'], /one shell at a time/],
  ] as const) {
    const r = await run([...args]);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.is(r.stdout, '');
  }
});

cli('pwsh is PowerShell; --help names the three shells; the command is in the usage', async () => {
  assert.is((await run(['completion', 'pwsh'])).stdout, await script('powershell'));
  const help = await run(['completion', '--help']);
  assert.is(help.code, 0);
  assert.match(help.stdout, /source <\(firmwarden completion bash\)/);
  assert.match((await run(['--help'])).stdout, /\n {2}completion +print a shell completion script/);
});

/** The long flags a command's --help mentions. */
async function helpFlags(command: string): Promise<Set<string>> {
  const r = await run([command, '--help']);
  assert.is(r.code, 0, `${command} --help: ${r.stderr}`);
  return new Set([...r.stdout.matchAll(/(?<![\w-])--[a-z][a-z0-9-]*/g)].map((m) => m[0]));
}

/** The flags the bash script offers after `firmwarden COMMAND`. */
function bashFlags(text: string, command: string): string[] {
  const block = new RegExp(`\\n {4}${command}\\)\\n {6}flags='([^']*)'`).exec(text);
  assert.ok(block, `no case for ${command}`);
  return block[1]!.split(' ');
}

cli('each command: every flag its --help names is offered, and every long flag offered is in its --help', async () => {
  const text = await script('bash');
  for (const command of commands.filter((c) => c !== 'completion')) {
    const offered = bashFlags(text, command);
    const documented = await helpFlags(command);
    const longOffered = offered.filter((f) => f.startsWith('--') && f !== '--help');
    assert.equal([...documented].filter((f) => !offered.includes(f) && f !== '--help'), [], `${command}: in --help, not offered`);
    assert.equal(longOffered.filter((f) => !documented.has(f)), [], `${command}: offered, not in --help`);
  }
});

const bash = suite('bash');

bash.before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'firmwarden-completion-'));
});
bash.after(() => rmSync(tmp, { recursive: true, force: true }));

/** What _firmwarden offers for the words typed (the last one being completed), in a real bash. */
function complete(file: string, words: readonly string[]): string[] {
  const quoted = words.map((w) => `'${w.replaceAll("'", "'\\''")}'`).join(' ');
  const out = execFileSync('bash', ['--norc', '--noprofile', '-c', `source '${file}'; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _firmwarden; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l !== '');
}

const bashCases: ReadonlyArray<[string, string[], string[]]> = [
  ['a command from its first letters', ['firmwarden', 'pl'], ['plan']],
  ['every command on an empty word', ['firmwarden', ''], [...commands, 'version']],
  ['a flag of that command only', ['firmwarden', 'lint', '--st'], ['--strict']],
  ['flags of run, its Kubernetes ones and the fleet ones', ['firmwarden', 'run', '--lea'], ['--lease-namespace', '--lease-name', '--lease-duration', '--lease-renew-deadline', '--lease-retry-period']],
  ['--format values of lint', ['firmwarden', 'lint', '--format', ''], ['text', 'json', 'github', 'sarif', 'junit']],
  ['-o is --format', ['firmwarden', 'plan', '-o', 'm'], ['markdown']],
  ['-f is --format for lint', ['firmwarden', 'lint', '-f', 's'], ['sarif']],
  ['why has its own formats', ['firmwarden', 'why', '--format', ''], ['text', 'json']],
  ['--flag=value, bash cutting at the =', ['firmwarden', 'lint', '--format', '=', 'j'], ['json', 'junit']],
  ['--flag= with nothing typed after it', ['firmwarden', 'lint', '--format', '='], ['text', 'json', 'github', 'sarif', 'junit']],
  ['--log-format and --log-level', ['firmwarden', 'run', '--log-level', 'w'], ['warn']],
  ['the emulator takes --log-format', ['firmwarden', 'emulator', '--log-format', ''], ['text', 'json']],
  ['--cloud values', ['firmwarden', 'plan', '--cloud', 'usgov'], ['usgov', 'usgov-dod']],
  ['the shells of completion', ['firmwarden', 'completion', ''], ['bash', 'zsh', 'powershell']],
  ['a free value (a path) is left to bash: file names', ['firmwarden', 'run', '--dir', ''], []],
  ['a path argument is left to bash too', ['firmwarden', 'lint', 'exa'], []],
  ['flags after other arguments', ['firmwarden', 'plan', 'examples', '--fo'], ['--format', '--forecast']],
];

bash('the script registers _firmwarden for firmwarden, falling back to file names', async () => {
  const file = join(tmp, 'firmwarden.bash');
  writeFileSync(file, await script('bash'));
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', `source '${file}'; complete -p firmwarden`], { encoding: 'utf8' });
  assert.is(r.stdout.trim(), 'complete -o default -F _firmwarden firmwarden', r.stderr);
  const syntax = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
  assert.is(syntax.status, 0, syntax.stderr);
});

for (const [name, words, expected] of bashCases) {
  bash(name, async () => {
    const file = join(tmp, 'firmwarden.bash');
    writeFileSync(file, await script('bash'));
    assert.equal(complete(file, words).sort(), [...expected].sort());
  });
}

const zsh = suite('zsh (end to end in a pseudo-terminal)');

const zshCases: ReadonlyArray<{ typed: string; line?: string; listed?: string[] }> = [
  { typed: 'firmwarden pl', line: 'firmwarden plan ' },
  { typed: 'firmwarden lint -o s', line: 'firmwarden lint -o sarif ' },
  { typed: 'firmwarden run --log-f', line: 'firmwarden run --log-format ' },
  { typed: 'firmwarden demo --log-format t', line: 'firmwarden demo --log-format text ' },
  { typed: 'firmwarden completion p', line: 'firmwarden completion powershell ' },
  { typed: 'firmwarden plan --cloud usgov-', line: 'firmwarden plan --cloud usgov-dod ' },
  { typed: 'firmwarden lint --format=sa', line: 'firmwarden lint --format=sarif ' },
  { typed: 'firmwarden lint --format=j', line: 'firmwarden lint --format=j', listed: ['json', 'junit'] },
];

zsh('compinit registers the script; TAB completes commands, flags and --format values', async () => {
  const which = spawnSync('zsh', ['--version'], { encoding: 'utf8' });
  assert.is(which.status, 0, 'zsh is needed (scripts/provision.sh installs it)');
  const dir = mkdtempSync(join(tmpdir(), 'firmwarden-zsh-'));
  try {
    writeFileSync(join(dir, 'firmwarden.zsh'), await script('zsh'));
    // The interactive shell's start: compinit, the script, and ^T printing the line between [[ ]].
    writeFileSync(join(dir, 'rc'), [
      "PS1='> '", 'autoload -U compinit', `compinit -u -d '${dir}/zcompdump'`, `source '${dir}/firmwarden.zsh'`, 'unsetopt beep',
      'print -r -- "registered=$_comps[firmwarden]"',
      'dump() { zle -I; print -r -- "[[$BUFFER]]"; BUFFER=; }', 'zle -N dump', "bindkey '^T' dump", 'print READ""Y', '',
    ].join('\n'));
    // The driver types each line, TAB, then ^T, and reads up to the printed line.
    const driver = [
      'zmodload zsh/zpty',
      'zpty z zsh -f -i',
      `zpty -w z "source '${dir}/rc'"`,
      "zpty -r z out '*READY*'",
      'print -r -- "$out"',
      ...zshCases.flatMap((c) => [
        `print -r -- '---- ${c.typed}'`,
        `zpty -w -n z '${c.typed}'$'\\t\\x14'`,
        "zpty -r z out '*\\]\\]*'",
        'print -r -- "$out"',
      ]),
      'zpty -d z',
    ].join('\n');
    writeFileSync(join(dir, 'driver.zsh'), driver);
    const r = spawnSync('zsh', ['-f', join(dir, 'driver.zsh')], { encoding: 'utf8', timeout: 60_000, cwd: root });
    // eslint-disable-next-line no-control-regex
    const out = r.stdout.replace(/\x1b\[[0-9;?]*[A-Za-z]|\r|[\x00-\x08]/g, '');
    assert.is(r.status, 0, `zsh driver: ${r.stderr}\n${out}`);
    assert.match(out, 'registered=_firmwarden');
    const chunks = out.split('\n---- ').slice(1);
    assert.is(chunks.length, zshCases.length, out);
    zshCases.forEach((c, i) => {
      const chunk = chunks[i]!;
      const line = /\[\[(.*)\]\]/.exec(chunk)?.[1];
      if (c.line !== undefined) assert.is(line, c.line, `${c.typed}:\n${chunk}`);
      // The list zsh shows below the line: the candidates in a row, then the line drawn again.
      if (c.listed) assert.match(chunk, new RegExp(`\\n${c.listed.join(' +')}`), `${c.typed}: ${c.listed.join(', ')} listed\n${chunk}`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const powershell = suite('PowerShell (by structure: no pwsh on this machine)');

/** Checks quotes, braces and parentheses pair up outside PowerShell strings ('' inside '…', "…" with backtick escapes). */
function balanced(text: string): string | undefined {
  const stack: string[] = [];
  const pairs: Record<string, string> = { ')': '(', '}': '{', ']': '[' };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === "'") {
      for (i++; ; i++) {
        if (i >= text.length) return 'unclosed single quote';
        if (text[i] === "'" && text[i + 1] === "'") i++;
        else if (text[i] === "'") break;
      }
    } else if (c === '"') {
      for (i++; ; i++) {
        if (i >= text.length) return 'unclosed double quote';
        if (text[i] === '`') i++;
        else if (text[i] === '"') break;
      }
    } else if ('({['.includes(c)) stack.push(c);
    else if (')}]'.includes(c)) {
      if (stack.pop() !== pairs[c]) return `unbalanced ${c} at ${i}`;
    }
  }
  return stack.length === 0 ? undefined : `unclosed ${stack.join('')}`;
}

powershell('a native argument completer for firmwarden, with balanced quotes and brackets', async () => {
  const text = await script('powershell');
  assert.match(text, /^Register-ArgumentCompleter -Native -CommandName firmwarden -ScriptBlock \{$/m);
  assert.match(text, /param\(\$wordToComplete, \$commandAst, \$cursorPosition\)/);
  assert.is(balanced(text), undefined);
  assert.is(balanced("@('a'')', \"x`\"\")"), undefined, 'the checker itself reads escaped quotes');
  assert.ok(balanced("@('a')}") !== undefined, 'the checker itself finds a stray brace');
});

powershell('every command with its summary, its flags and its choices, taken from the same tables as bash', async () => {
  const text = await script('powershell');
  const bashText = await script('bash');
  for (const command of commands) {
    assert.match(text, new RegExp(`^ {4}'${command}' = '[^']+'$`, 'm'), `${command} summary`);
    const flags = new RegExp(`^ {4}'${command}' = @\\(([^)]*)\\)$`, 'm').exec(text.slice(text.indexOf('$flags = @{')));
    assert.ok(flags, `${command} flags`);
    assert.equal(flags[1]!.split(', ').map((f) => f.slice(1, -1)), bashFlags(bashText, command), command);
  }
  assert.match(text, /'lint' = @\{ '--format' = @\('text', 'json', 'github', 'sarif', 'junit'\); '-f' = @\([^)]*\); '-o' = @\([^)]*\) \}/);
  assert.match(text, /'completion' = @\('bash', 'zsh', 'powershell'\)/);
});

cli.run();
bash.run();
zsh.run();
powershell.run();
