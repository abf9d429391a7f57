// `firmwarden run`'s source and HTTP flags, in parseArgs' format, and their help text.
/** The flags, in parseArgs' format; merge them into the command's own. */
export const runSourceFlags = {
  repo: { type: 'string' },
  branch: { type: 'string' },
  path: { type: 'string' },
  interval: { type: 'string' },
  'data-dir': { type: 'string' },
  'git-token-file': { type: 'string' },
  'git-username': { type: 'string' },
  'git-ssh-key': { type: 'string' },
  'git-known-hosts': { type: 'string' },
  'verify-signatures': { type: 'boolean' },
  'trusted-keys': { type: 'string' },
  'git-signing-key': { type: 'string' },
  'status-author': { type: 'string' },
  'status-branch': { type: 'string' },
  'status-message': { type: 'string' },
  report: { type: 'string' },
  'no-report': { type: 'boolean' },
  dir: { type: 'string' },
  listen: { type: 'string' },
  'webhook-secret-file': { type: 'string' },
  ui: { type: 'boolean' },
  'ui-token-file': { type: 'string' },
} as const;

/** Help lines for these flags. */
export const runSourceHelp = `Desired state (one of):
  --repo URL|PATH          Git repository of the manifests (https://, ssh://, git@host:path, or a local path)
  --dir PATH               a local folder, watched; status is written into the files in place (no commits)
Git options:
  --branch NAME            branch to follow and push status to (default: main)
  --path DIR               folder of the manifests inside the repository (default: .)
  --interval DURATION      how often the remote head is polled, e.g. 30s, 1m, 0 to disable (default: 1m)
  --data-dir DIR           where the clone is kept, in DIR/repo (default: a temporary folder)
  --git-token-file FILE    https token (or FIRMWARDEN_GIT_TOKEN); re-read before every git command
  --git-username NAME      user name sent with the token (default: x-access-token; GitLab: oauth2)
  --git-ssh-key FILE       ssh private key
  --git-known-hosts FILE   known_hosts for ssh (host keys are always checked)
  --verify-signatures      only reconcile revisions whose head commit is signed by a trusted key
  --trusted-keys FILE      OpenPGP public keys (armoured) or SSH allowed-signers / public keys
  --git-signing-key FILE   ssh key the controller signs its status commits with
  --status-author 'N <E>'  author of status commits (default: firmwarden <firmwarden@users.noreply.firmwarden.dev>)
  --status-branch NAME     commit status (and the report) to this branch, kept as --branch plus status commits,
                           when --branch is protected; specs are still read from --branch (default: --branch itself)
  --status-message TEXT    status commit message; {summary} {revision} {shortRevision} {branch}, \\n starts the body
                           (default: 'status: {summary} [skip ci]'; the Firmwarden-Status trailer is always added)
Fleet report (--repo and --dir):
  --report FILE            Markdown report written with the statuses: progress per group and wave, failures,
                           refusals, clamps, next windows, a 30-day Mermaid gantt; relative to the repository
                           or folder (default: FLEET.md in --path)
  --no-report              write no report
HTTP:
  --listen HOST:PORT       health, readiness, metrics and webhook (default: 127.0.0.1:8080)
  --webhook-secret-file F  shared secret of POST /hooks/git (or FIRMWARDEN_WEBHOOK_SECRET); no secret, no webhook
  --ui-token-file FILE     token of the read-only live view at / (or FIRMWARDEN_UI_TOKEN); open /?token=… once
  --ui                     serve the live view without a token on a non-loopback --listen (on loopback it is
                           always served; elsewhere, without --ui or a token, it is off)
Every option also reads FIRMWARDEN_<OPTION> from the environment (FIRMWARDEN_REPO, FIRMWARDEN_DATA_DIR, ...).
`;
