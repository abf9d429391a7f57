// The control surface over HTTP, under /_emulator/ (outside /beta, no Graph token; the server
// only listens on loopback and refuses other peers). Bad input → 400 { error: message }.
//
//   GET  /_emulator/state                          summary (clock, counts, faults, quirks, stats)
//   GET  /_emulator/clock    POST {at?, advanceMs?, speed?}
//   GET  /_emulator/releases?model=&softwareType=  POST {model, softwareType, version, verified?, releasedAt?}
//   GET  /_emulator/faults   POST {…partial FaultSettings}   DELETE (clear)
//   GET  /_emulator/quirks   POST {…partial Quirks}
//   GET  /_emulator/failure-rates                   POST {model | '*', rate}
//   GET  /_emulator/health-regressions              POST {model?, softwareType?, version?, what, missing?}   DELETE (clear)
//   GET  /_emulator/rate-limit                      POST {perSecond}   (this tenant's, per app)
//   GET  /_emulator/global-rate-limit               POST {perSecond}   (across all tenants)
//   GET  /_emulator/requests?deviceId=&action=      DELETE (clears the log and counters)
//   GET  /_emulator/stats
//   GET  /_emulator/devices?deviceType=&tag=&model=&offset=&limit=   GET /_emulator/devices/{id}
//   GET  /_emulator/devices/{id}/operations         POST /_emulator/devices/{id}/operations/{opId}/cancel
//   POST /_emulator/save
//   POST /_emulator/apps/{clientId}/secret {secret}   rotate an app's client secret
//
// These act on the first tenant; /_emulator/tenants/{tenantId}/… act on that tenant, and
// GET /_emulator/tenants lists the tenants with their credentials (tenant-routes.ts).
import type { EmulatorControl } from './control.ts';
import { EmulatorInputError } from './input-error.ts';
import { checkHealthRegression } from './health-regressions.ts';
import type { ActionName } from './operations.ts';

export interface ControlAnswer {
  readonly status: number;
  readonly body: unknown;
}

function asObject(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new EmulatorInputError('the body must be a JSON object');
  return body as Record<string, unknown>;
}

function optionalNumber(query: URLSearchParams, name: string): number | undefined {
  const text = query.get(name);
  if (text === null) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new EmulatorInputError(`${name} must be a whole number`);
  return value;
}

/** Answers one control request; `path` is what follows /_emulator. */
export async function answerControl(control: EmulatorControl, method: string, path: string, query: URLSearchParams, body: unknown): Promise<ControlAnswer> {
  try {
    return await route(control, method.toUpperCase(), path.replace(/\/+$/, ''), query, body);
  } catch (error) {
    if (error instanceof EmulatorInputError) return { status: 400, body: { error: error.message } };
    throw error;
  }
}

async function route(control: EmulatorControl, method: string, path: string, query: URLSearchParams, body: unknown): Promise<ControlAnswer> {
  const ok = (value: unknown, status = 200): ControlAnswer => ({ status, body: value });
  const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [first, second, third, fourth, fifth] = segments;
  const key = `${method} ${first ?? ''}`;
  switch (key) {
    case 'GET state': return ok(control.summary());
    case 'GET clock': return ok(control.clock());
    case 'POST clock': {
      const b = asObject(body);
      if (b.at === undefined && b.advanceMs === undefined && b.speed === undefined) throw new EmulatorInputError('give at, advanceMs and/or speed');
      if (b.at !== undefined) {
        if (typeof b.at !== 'string' && typeof b.at !== 'number') throw new EmulatorInputError('at must be an ISO 8601 date-time or ms');
        control.setTime(b.at);
      }
      if (b.advanceMs !== undefined) {
        if (typeof b.advanceMs !== 'number') throw new EmulatorInputError('advanceMs must be a number');
        control.advance(b.advanceMs);
      }
      if (b.speed !== undefined) {
        if (typeof b.speed !== 'number') throw new EmulatorInputError('speed must be a number');
        control.setSpeed(b.speed);
      }
      return ok(control.clock());
    }
    case 'GET releases': {
      const filter: { model?: string; softwareType?: string } = {};
      const model = query.get('model');
      const softwareType = query.get('softwareType');
      if (model !== null) filter.model = model;
      if (softwareType !== null) filter.softwareType = softwareType;
      return ok(control.releases(filter));
    }
    case 'POST releases': {
      const b = asObject(body);
      if (b.verified !== undefined && typeof b.verified !== 'boolean') throw new EmulatorInputError('verified must be true or false');
      if (b.releasedAt !== undefined && typeof b.releasedAt !== 'string' && typeof b.releasedAt !== 'number') throw new EmulatorInputError('releasedAt must be an ISO 8601 date-time or ms');
      return ok(control.releaseVersion({
        model: String(b.model ?? ''), softwareType: String(b.softwareType ?? ''), version: b.version as string,
        ...(b.verified === undefined ? {} : { verified: b.verified as boolean }),
        ...(b.releasedAt === undefined ? {} : { releasedAt: b.releasedAt as string | number }),
      }), 201);
    }
    case 'GET faults': return ok(control.faults());
    case 'POST faults': return ok(control.setFaults(asObject(body)));
    case 'DELETE faults': return ok(control.clearFaults());
    case 'GET quirks': return ok(control.quirks());
    case 'POST quirks': return ok(control.setQuirks(asObject(body)));
    case 'GET failure-rates': return ok(control.failureRates());
    case 'POST failure-rates': {
      const b = asObject(body);
      if (typeof b.model !== 'string' || typeof b.rate !== 'number') throw new EmulatorInputError('give model (a model name or *) and rate (0 to 1)');
      control.setFailureRate(b.model, b.rate);
      return ok(control.failureRates());
    }
    case 'GET health-regressions': return ok(control.healthRegressions());
    case 'POST health-regressions': return ok(control.addHealthRegression(checkHealthRegression(asObject(body))), 201);
    case 'DELETE health-regressions': return ok(control.clearHealthRegressions());
    case 'GET rate-limit': return ok({ perSecond: control.rateLimit() });
    case 'POST rate-limit': {
      const b = asObject(body);
      if (typeof b.perSecond !== 'number') throw new EmulatorInputError('perSecond must be a number');
      control.setRateLimit(b.perSecond);
      return ok({ perSecond: control.rateLimit() });
    }
    case 'GET global-rate-limit': return ok({ perSecond: control.globalRateLimit() });
    case 'POST global-rate-limit': {
      const b = asObject(body);
      if (typeof b.perSecond !== 'number') throw new EmulatorInputError('perSecond must be a number');
      control.setGlobalRateLimit(b.perSecond);
      return ok({ perSecond: control.globalRateLimit() });
    }
    case 'GET requests': {
      const filter: { deviceId?: string; action?: ActionName } = {};
      const deviceId = query.get('deviceId');
      const action = query.get('action');
      if (deviceId !== null) filter.deviceId = deviceId;
      if (action !== null) filter.action = action as ActionName;
      return ok(control.actionLog(filter));
    }
    case 'DELETE requests':
      control.resetLog();
      return ok({ cleared: true });
    case 'GET stats': return ok(control.stats());
    case 'POST save':
      await control.save();
      return ok({ saved: true });
    case 'GET devices': {
      if (second === undefined) {
        const q: { deviceType?: string; tag?: string; model?: string; offset?: number; limit?: number } = {};
        for (const name of ['deviceType', 'tag', 'model'] as const) {
          const value = query.get(name);
          if (value !== null) q[name] = value;
        }
        const offset = optionalNumber(query, 'offset');
        const limit = optionalNumber(query, 'limit');
        if (offset !== undefined) q.offset = offset;
        if (limit !== undefined) q.limit = limit;
        return ok(control.devices(q));
      }
      if (third === undefined) {
        const device = control.device(second);
        return device ? ok(device) : { status: 404, body: { error: `no device has id ${second}` } };
      }
      if (third === 'operations' && fourth === undefined) return ok(control.operations(second));
      // GET /_emulator/devices/{id}/calendar?from=&to= (ISO 8601 or ms): the room's bookings.
      if (third === 'calendar' && fourth === undefined) {
        const instant = (name: string) => {
          const text = query.get(name);
          if (text === null) throw new EmulatorInputError(`${name} is required (ISO 8601 or ms)`);
          return /^\d+$/.test(text) ? Number(text) : text;
        };
        return ok(control.roomCalendar(second, instant('from'), instant('to')));
      }
      // GET /_emulator/devices/{id}/activity?at= (default now): its activityState then.
      if (third === 'activity' && fourth === undefined) {
        const at = query.get('at');
        return ok({ activityState: control.activityAt(second, at === null ? undefined : /^\d+$/.test(at) ? Number(at) : at) });
      }
      break;
    }
    case 'POST apps': {
      // POST /_emulator/apps/{clientId}/secret {"secret": "..."}: rotate an app's secret.
      const b = asObject(body);
      if (second === undefined || third !== 'secret' || segments.length !== 3) break;
      if (typeof b.secret !== 'string') throw new EmulatorInputError('secret must be a string');
      control.setClientSecret(second, b.secret);
      return ok({ clientId: second, rotated: true });
    }
    case 'POST devices':
      if (second !== undefined && third === 'operations' && fourth !== undefined && fifth === 'cancel' && segments.length === 5) {
        return ok({ cancelled: control.cancelOperation(second, fourth) });
      }
      break;
  }
  return { status: 404, body: { error: `no control endpoint ${method} /_emulator${path}` } };
}
