// The option tables the commands parse (with parseFlags), kept apart from the commands so that
// `firmwarden completion` can list every flag without loading the commands themselves (loading
// run or demo takes a second or more; a completion script is made at every shell start). The
// run command's tables live with their options in config/; this file only gathers them.
import { runSourceFlags } from '../config/run-flags.ts';
import { notifyFlags } from '../config/notify-options.ts';
import { logFormatFlag } from '../config/log-options.ts';
import { tenantRunFlags } from '../config/tenant-run.ts';
import { shardFlags } from '../config/shard-options.ts';

// lint's tables live in lint-flags.ts, so that lint loads none of the other commands' options.
export { formatAliases, lintFlags, lintFormats } from './lint-flags.ts';

/** Output formats of `plan --format`. */
export const planFormats = ['text', 'markdown', 'json'] as const;

/** Flags of `firmwarden plan` (beside the fleet connection flags). */
export const planFlags = {
  format: { type: 'string' },
  at: { type: 'string' },
  forecast: { type: 'string' },
  state: { type: 'string' },
  limit: { type: 'string' },
} as const;

/** Output formats of `why --format`. */
export const whyFormats = ['text', 'json'] as const;

/** Flags of `firmwarden why` (beside the fleet connection flags). */
export const whyFlags = {
  format: { type: 'string' },
  at: { type: 'string' },
  state: { type: 'string' },
} as const;

/** Flags of `firmwarden demo`. */
export const demoFlags = {
  workdir: { type: 'string' },
  speed: { type: 'string' },
  devices: { type: 'string' },
  seed: { type: 'string' },
  'max-days': { type: 'string' },
  'failure-rate': { type: 'string' },
  quiet: { type: 'boolean' },
  ...logFormatFlag,
  help: { type: 'boolean', short: 'h' },
} as const;

/** Flags of `firmwarden emulator`. */
export const emulatorFlags = {
  port: { type: 'string' }, devices: { type: 'string' }, seed: { type: 'string' }, 'rate-limit': { type: 'string' },
  tenant: { type: 'string' }, 'client-id': { type: 'string' }, 'client-secret': { type: 'string' }, speed: { type: 'string' },
  state: { type: 'string' }, 'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' }, verbose: { type: 'boolean' },
  tenants: { type: 'string' }, 'tenants-file': { type: 'string' }, 'tenants-out': { type: 'string' }, 'global-rate-limit': { type: 'string' },
  ...logFormatFlag, help: { type: 'boolean', short: 'h' },
} as const;

/** Flags of `firmwarden schemas`. */
export const schemasFlags = {
  write: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Flags of `firmwarden run` on Git or a folder (beside the fleet connection flags and --kubernetes). */
export const runFlags = {
  ...runSourceFlags,
  ...notifyFlags,
  state: { type: 'string' },
  resync: { type: 'string' },
  'log-level': { type: 'string' },
  ...logFormatFlag,
  ...tenantRunFlags,
} as const;

/** Flags of `firmwarden run --kubernetes` (beside the fleet connection flags). */
export const kubernetesFlags = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  namespace: { type: 'string' },
  'lease-namespace': { type: 'string' },
  'lease-name': { type: 'string' },
  'lease-duration': { type: 'string' },
  'lease-renew-deadline': { type: 'string' },
  'lease-retry-period': { type: 'string' },
  'state-configmap': { type: 'string' },
  identity: { type: 'string' },
  listen: { type: 'string' },
  resync: { type: 'string' },
  'log-level': { type: 'string' },
  ...logFormatFlag,
  ...notifyFlags,
  ...tenantRunFlags,
  ...shardFlags,
} as const;
