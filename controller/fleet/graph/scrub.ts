// Last line of defence for error texts that may echo what was sent: cuts known secret values
// out of a string before it reaches an error message or a log line.

/** `text` with every occurrence of each secret (4+ characters) replaced by [redacted]. */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out;
}
