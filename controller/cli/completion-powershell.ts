// The PowerShell completion script.
import type { CommandCompletion } from './completion-spec.ts';
import { word } from './completion-words.ts';

function psQuote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A script for PowerShell: `firmwarden completion powershell | Out-String | Invoke-Expression` in $PROFILE. */
export function renderPowerShell(spec: readonly CommandCompletion[]): string {
  const list = (items: readonly string[]) => `@(${items.map((i) => psQuote(word(i))).join(', ')})`;
  const commands = [...spec.map((c) => `    ${psQuote(word(c.name))} = ${psQuote(c.summary)}`), `    'version' = 'print the version'`];
  const flags = spec.map((c) => `    ${psQuote(c.name)} = ${list(c.flags)}`);
  const valueFlags = spec.map((c) => `    ${psQuote(c.name)} = ${list(c.valueFlags)}`);
  const choices = spec.map((c) => `    ${psQuote(c.name)} = @{ ${Object.entries(c.choices).map(([f, v]) => `${psQuote(word(f))} = ${list(v)}`).join('; ')} }`);
  const args = spec.filter((c) => c.arguments).map((c) => `    ${psQuote(c.name)} = ${list(c.arguments!)}`);
  return `# PowerShell completion for firmwarden, made by 'firmwarden completion powershell'.
# Load it from your profile ($PROFILE):  firmwarden completion powershell | Out-String | Invoke-Expression
Register-ArgumentCompleter -Native -CommandName firmwarden -ScriptBlock {
  param($wordToComplete, $commandAst, $cursorPosition)
  $commands = [ordered]@{
${commands.join('\n')}
  }
  $flags = @{
${flags.join('\n')}
  }
  $valueFlags = @{
${valueFlags.join('\n')}
  }
  $choices = @{
${choices.join('\n')}
  }
  $arguments = @{
${args.join('\n')}
  }
  $prefix = ''
  # The words before the one being completed.
  $before = @($commandAst.CommandElements | Where-Object { $_.Extent.EndOffset -lt $cursorPosition } | ForEach-Object { $_.ToString() })
  if ($before.Count -le 1) {
    $candidates = @($commands.Keys)
  } else {
    $cmd = $before[1]
    $prev = $before[-1]
    $word = $wordToComplete
    if ($word -match '^(-[^=]+)=(.*)$') { $prev = $Matches[1]; $word = $Matches[2] }
    if (-not $flags.ContainsKey($cmd)) { return }
    if ($choices[$cmd].ContainsKey($prev)) {
      $candidates = @($choices[$cmd][$prev])
    } elseif ($valueFlags[$cmd] -ccontains $prev) {
      return  # a free value: PowerShell offers paths
    } elseif ($word.StartsWith('-')) {
      $candidates = @($flags[$cmd])
    } elseif ($arguments.ContainsKey($cmd) -and $before.Count -eq 2) {
      $candidates = @($arguments[$cmd])
    } else {
      return
    }
    $prefix = $wordToComplete.Substring(0, $wordToComplete.Length - $word.Length)
    $wordToComplete = $word
  }
  foreach ($candidate in $candidates) {
    if ($candidate.StartsWith($wordToComplete, [StringComparison]::Ordinal)) {
      $tip = if ($commands.Contains($candidate) -and $before.Count -le 1) { $commands[$candidate] } else { $candidate }
      [System.Management.Automation.CompletionResult]::new("$prefix$candidate", $candidate, 'ParameterValue', $tip)
    }
  }
}
`;
}
