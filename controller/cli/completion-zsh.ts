// The zsh completion script.
import type { CommandCompletion } from './completion-spec.ts';
import { groupChoices, word } from './completion-words.ts';

function zshQuote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/** A script for zsh: `source <(firmwarden completion zsh)` after compinit, or saved as _firmwarden in $fpath. */
export function renderZsh(spec: readonly CommandCompletion[]): string {
  const described = [...spec.map((c) => zshQuote(`${word(c.name)}:${c.summary.replaceAll(':', '\\:')}`)), zshQuote('version:print the version')];
  const cases = spec.map((c) => {
    const lines = [`    ${word(c.name)})`, `      flags=(${c.flags.map(word).join(' ')})`];
    const valueCases = groupChoices(c).map(([flags, values]) => `        ${flags.map(word).join('|')}) values=(${values.map(word).join(' ')}) ;;`);
    const free = c.valueFlags.filter((f) => !(f in c.choices));
    if (free.length > 0) valueCases.push(`        ${free.map(word).join('|')}) _files; return ;;`);
    if (valueCases.length > 0) lines.push('      case $prev in', ...valueCases, '      esac');
    if (c.arguments) lines.push(`      arguments=(${c.arguments.map(word).join(' ')})`);
    lines.push('      ;;');
    return lines.join('\n');
  });
  return `#compdef firmwarden
# zsh completion for firmwarden, made by 'firmwarden completion zsh'.
# Load it from ~/.zshrc, after compinit:  source <(firmwarden completion zsh)
# or save it once as _firmwarden in a folder of $fpath.
_firmwarden() {
  local cur=\${words[CURRENT]} prev=\${words[CURRENT-1]} cmd=\${words[2]}
  local -a flags values arguments
  if (( CURRENT == 2 )); then
    local -a commands=(
      ${described.join('\n      ')}
    )
    _describe -t commands 'firmwarden command' commands
    return
  fi
  # --flag=value is one word in zsh: complete the value after the '='.
  if [[ $cur == -*=* ]]; then
    prev=\${cur%%=*}
    compset -P '*='
  fi
  case $cmd in
${cases.join('\n')}
    *) return 1 ;;
  esac
  if (( $#values )); then
    compadd -a values
  elif [[ $cur == -* ]]; then
    compadd -a flags
  elif (( $#arguments && CURRENT == 3 )); then
    compadd -a arguments
  else
    _files
  fi
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _firmwarden "$@"
else
  compdef _firmwarden firmwarden
fi
`;
}
