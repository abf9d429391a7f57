// Connects to the fleet the options name: the Graph adapter against a national cloud or an
// emulator started apart, or an emulator started here in the process (demo, plan without
// credentials). Wiring, so it stands above both the options (config/) and the adapter (fleet/).
import type { FleetOptions } from './fleet-options.ts';
import { FileSecret, Secret } from './secret.ts';
import { createGraphFleet, type CreateFleetDeps, type GraphFleet } from '../fleet/index.ts';
import type { GraphAuth } from '../fleet/graph/credentials.ts';
import { normalizeGraphBase } from '../fleet/graph/graph-urls.ts';
import type { EmulatorHandle } from '../fleet/emulator/emulator-options.ts';

export interface FleetConnection {
  /** The port, plus the Graph adapter's extras (stats, startUpdates). */
  readonly fleet: GraphFleet;
  readonly target: 'emulator' | 'graph';
  /** Graph base URL in use (the emulator's when in-process). */
  readonly graphUrl: string;
  /** The in-process emulator, when target is `emulator` (control endpoints, request log). */
  readonly emulator: EmulatorHandle | undefined;
  /** Stops the in-process emulator, if any. */
  close(): Promise<void>;
}

function authFrom(options: FleetOptions): GraphAuth {
  const tenant = options.tenant ?? '';
  const clientId = options.clientId ?? '';
  switch (options.auth) {
    case 'secret':
      return { kind: 'secret', tenant, clientId, clientSecret: options.clientSecret ?? new Secret('') };
    case 'certificate':
      return { kind: 'certificate', tenant, clientId, certificatePath: options.certificatePath ?? '', certificatePassword: options.certificatePassword ?? undefined };
    case 'workload-identity':
      return { kind: 'workload-identity', tenant, clientId, tokenFilePath: options.federatedTokenFile ?? '' };
    case 'managed-identity':
    case null:
      return { kind: 'managed-identity', clientId: options.clientId ?? undefined };
  }
}

/** Connects to the fleet the options name; close() it when done. */
export async function createFleet(options: FleetOptions, deps: CreateFleetDeps): Promise<FleetConnection> {
  if (options.target === 'graph') {
    if (options.clientSecret instanceof FileSecret) {
      const log = deps.logger.child({ component: 'graph' });
      // The path and what happened, never the value.
      options.clientSecret.onChange((event) =>
        event.kind === 'rotated'
          ? log.info({ path: event.path }, 'client secret file changed; the next sign-in uses the new secret')
          : log.warn({ path: event.path, reason: event.reason }, 'client secret file changed but cannot be used; the previous secret stays in use'),
      );
    }
    const fleet = createGraphFleet(
      { graphUrl: options.graphUrl, loginUrl: options.loginUrl, auth: authFrom(options), rate: options.rate, timeoutMs: options.timeoutMs },
      deps,
    );
    deps.logger.info({ component: 'fleet', target: 'graph', cloud: options.cloud, graphUrl: options.graphUrl, auth: options.auth }, 'fleet connected');
    return { fleet, target: 'graph', graphUrl: normalizeGraphBase(options.graphUrl), emulator: undefined, close: async () => undefined };
  }
  const { startEmulator } = await import('../fleet/emulator/server.ts');
  const emulator = await startEmulator({ clock: deps.clock, ...deps.emulator });
  try {
    const fleet = createGraphFleet(
      {
        graphUrl: emulator.graphBaseUrl,
        loginUrl: emulator.loginBaseUrl,
        auth: { kind: 'secret', tenant: emulator.tenant, clientId: emulator.clientId, clientSecret: new Secret(emulator.clientSecret) },
        rate: options.rate,
        timeoutMs: options.timeoutMs,
      },
      deps,
    );
    deps.logger.info({ component: 'fleet', target: 'emulator', graphUrl: emulator.graphBaseUrl }, 'fleet connected');
    return { fleet, target: 'emulator', graphUrl: emulator.graphBaseUrl, emulator, close: () => emulator.close() };
  } catch (error) {
    await emulator.close();
    throw error;
  }
}
