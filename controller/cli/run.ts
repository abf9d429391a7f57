// `firmwarden run`: the controller process on a Git repository (--repo) or a local folder
// (--dir), until SIGINT/SIGTERM. `--kubernetes` runs it against custom resources instead.
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Command, CommandIO } from './command.ts';
import { parseFlags } from './parse-flags.ts';
import { systemClock } from '../model/clock.ts';
import { createLogger } from '../log/logger.ts';
import { fleetFlagNames, fleetOptionsHelp, parseFleetOptions } from '../config/fleet-options.ts';
import { resolveRunSourceOptions } from '../config/run-options.ts';
import { runSourceHelp } from '../config/run-flags.ts';
import { parseDuration } from '../config/run-option-values.ts';
import { createFleet } from '../config/fleet-connection.ts';
import { startController } from '../run/controller.ts';
import { createMetrics } from '../server/metrics.ts';
import { parseManifestTexts } from '../manifest/parse-manifests.ts';
import { replaceStatus } from '../manifest/status-writer.ts';
import { notifyHelp, resolveNotifyOptions } from '../config/notify-options.ts';
import { logFormatHelp, resolveLogOptions } from '../config/log-options.ts';
import { runFlags } from './command-flags.ts';
import { resolveTenantRunOptions, tenantConnector, tenantRunHelp } from '../config/tenant-run.ts';

const help = `Usage: firmwarden run (--repo URL|PATH | --dir PATH | --kubernetes) [options]

Runs the controller: follows the manifests, reconciles the fleet, writes status back.

${runSourceHelp}
Controller:
  --state FILE             state file: release dates and operations in flight (default: DATA_DIR/state.json)
  --resync DURATION        reconcile at least this often (default: 1m)
  --log-level LEVEL        trace | debug | info | warn | error (default: info)       FIRMWARDEN_LOG_LEVEL
${logFormatHelp}
  --kubernetes             manifests are custom resources in a cluster (see README, Kubernetes)

${notifyHelp}
${tenantRunHelp}
  Each tenant's state is kept in STATE.d/<namespace>.json beside the --state file.

${fleetOptionsHelp}
The fleet flags are optional for run: without them each declared Tenant signs in with its own
credentials (--graph-url alone points every Tenant at an emulator), and manifests that declare
no Tenant stall with NoFleetConnection until Tenants are added or the flags are given.
`;

export const runCommand: Command = async (args: string[], io: CommandIO): Promise<number> => {
  if (args.includes('--help') || args.includes('-h')) {
    const { kubernetesHelp } = await import('./run-kubernetes.ts');
    io.stdout.write(`${help}\n${kubernetesHelp}`);
    return 0;
  }
  if (args.includes('--kubernetes')) {
    const { runKubernetes } = await import('./run-kubernetes.ts');
    return runKubernetes(args.filter((a) => a !== '--kubernetes'), io);
  }
  // No fleet flags: each declared Tenant brings its own credentials (without any, the manifests stall).
  const { options: fleetOptions, rest, single } = parseFleetOptions(args, io.env, { fallback: 'tenants' });
  const { values } = parseFlags(rest, {
    options: runFlags,
    alsoKnown: [...fleetFlagNames, '--kubernetes'],
  });
  const run = await resolveRunSourceOptions(values, io.env, io.cwd);
  const notify = resolveNotifyOptions(values, io.env);
  const tenantOptions = resolveTenantRunOptions(values, io.env);
  const logger = createLogger(resolveLogOptions(values, io.env, io.stderr as { isTTY?: boolean }));
  const dataDir = run.source.kind === 'git' ? run.source.dataDir : undefined;
  const statePath = values.state ?? join(dataDir ?? join(tmpdir(), 'firmwarden'), 'state.json');
  // One registry for the fleet client's counters and the controller's, served at /metrics.
  const metrics = createMetrics();
  const connection = single ? await createFleet(fleetOptions, { logger, clock: systemClock, metrics }) : undefined;
  if (!connection) logger.info({ component: 'fleet' }, 'no fleet connection given: serving the Tenants the manifests declare, each with its own credentials');
  try {
    const controller = await startController(
      {
        source: run.source,
        http: run.http,
        statePath,
        requeue: { intervalMs: values.resync ? parseDuration(values.resync) : 60_000 },
        notify,
      },
      {
        ...(connection ? { fleet: connection.fleet } : {}), clock: systemClock, logger, parse: parseManifestTexts, replaceStatus, secrets: { env: io.env }, metrics,
        tenants: { connect: tenantConnector(tenantOptions, fleetOptions, { logger, clock: systemClock, metrics, secrets: { env: io.env } }), concurrency: tenantOptions.concurrency },
      },
      io.signal,
    );
    if (controller.http) io.stderr.write(`firmwarden: health, metrics and webhook on ${controller.http.url}\n`);
    if (controller.liveViewUrl) {
      io.stderr.write(`firmwarden: live view on ${controller.liveViewUrl}${run.http.ui?.mode === 'token' ? ' (open it once with ?token=<the --ui-token-file content>)' : ''}\n`);
    } else if (run.http.ui?.mode === 'off') {
      io.stderr.write('firmwarden: live view off (--listen is not loopback); give --ui-token-file, or --ui to serve it without a token\n');
    }
    await controller.done;
  } finally {
    await connection?.close();
  }
  return 0;
};
