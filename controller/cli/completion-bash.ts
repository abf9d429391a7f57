// The bash completion script.
import type { CommandCompletion } from './completion-spec.ts';
import { groupChoices, word } from './completion-words.ts';

/** A script for bash: `source <(firmwarden completion bash)`. */
export function renderBash(spec: readonly CommandCompletion[]): string {
  const cases = spec.map((c) => {
    const lines = [`    ${word(c.name)})`, `      flags='${c.flags.map(word).join(' ')}'`];
    const valueCases = groupChoices(c).map(([flags, values]) => `        ${flags.map(word).join('|')}) values='${values.map(word).join(' ')}' ;;`);
    const free = c.valueFlags.filter((f) => !(f in c.choices));
    if (free.length > 0) valueCases.push(`        ${free.map(word).join('|')}) return 0 ;;`);
    if (valueCases.length > 0) lines.push('      case $prev in', ...valueCases, '      esac');
    if (c.arguments) lines.push(`      arguments='${c.arguments.map(word).join(' ')}'`);
    lines.push('      ;;');
    return lines.join('\n');
  });
  return `# bash completion for firmwarden, made by 'firmwarden completion bash'.
# Load it from ~/.bashrc:  source <(firmwarden completion bash)
# or save it once:         firmwarden completion bash > ~/.local/share/bash-completion/completions/firmwarden
_firmwarden() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev='' cmd=\${COMP_WORDS[1]:-} flags='' values='' arguments=''
  (( COMP_CWORD > 0 )) && prev=\${COMP_WORDS[COMP_CWORD-1]}
  # --flag=value: bash cuts the line at '=' (COMP_WORDBREAKS), so '=' is a word of its own.
  if [[ $cur == '=' ]]; then
    cur=''
  elif [[ $prev == '=' ]] && (( COMP_CWORD > 1 )); then
    prev=\${COMP_WORDS[COMP_CWORD-2]}
  fi
  COMPREPLY=()
  if (( COMP_CWORD == 1 )); then
    COMPREPLY=( $(compgen -W '${spec.map((c) => word(c.name)).join(' ')} version' -- "$cur") )
    return 0
  fi
  case $cmd in
${cases.join('\n')}
    *) return 0 ;;
  esac
  if [[ -n $values ]]; then
    COMPREPLY=( $(compgen -W "$values" -- "$cur") )
  elif [[ $cur == -* ]]; then
    COMPREPLY=( $(compgen -W "$flags" -- "$cur") )
  elif [[ -n $arguments ]] && (( COMP_CWORD == 2 )); then
    COMPREPLY=( $(compgen -W "$arguments" -- "$cur") )
  fi
  # Nothing offered: -o default lets bash offer file names (paths, folders, globs).
  return 0
}
complete -o default -F _firmwarden firmwarden
`;
}
