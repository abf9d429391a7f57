// The Graph device surface under /beta: one synchronous function from a parsed request to an
// answer, shared by direct requests and the inner requests of $batch. Authentication, faults
// and throttling happen before this (server.ts); this only reads and changes the state.
import { SoftwareTypes, type DeviceType, type SoftwareType } from '../../model/fleet.ts';
import { models } from './catalog.ts';
import type { FleetSpec } from './fleet-gen.ts';
import { findDeviceIndex, findIndexByUniqueId, findIndexByUserId } from './fleet-gen.ts';
import type { EmulatorState } from './fleet-state.ts';
import { graphError, type GraphAnswer } from './graph-errors.ts';
import {
  activityProperties, configurationProperties, deviceProperties, healthProperties, operationProperties,
  selectFields, shapeActivity, shapeConfiguration, shapeDevice, shapeHealth, shapeOperation, singleEntity,
} from './graph-shapes.ts';
import { decodeSkipToken, encodeSkipToken, parseDeviceFilter, parseSelect, parseTop, readQueryOption, type DeviceFilter } from './odata.ts';
import type { ActionName } from './operations.ts';
import type { Quirks } from './quirks.ts';
import type { SoftwareStatus } from './software-status.ts';
import { applyHealthFaults } from './health-regressions.ts';
import { readWriteRole, type TokenClaims } from './tokens.ts';
import { answerGetSchedule, isGetSchedule } from './calendar-api.ts';

/** A Graph request once authenticated: path relative to the version root (`/teamwork/devices…`). */
export interface GraphRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Parsed JSON body; undefined when there was none. */
  readonly body: unknown;
  readonly claims: TokenClaims;
  readonly requestId: string;
}

export interface GraphContext {
  readonly state: EmulatorState;
  readonly quirks: () => Quirks;
  /** http://127.0.0.1:PORT/beta — for @odata.context and absolute nextLinks. */
  readonly graphBaseUrl: string;
  /** Whether a new operation gets stuck (the stuck-operation fault). */
  readonly decideStuck: () => boolean;
}

const jsonHeaders = { 'Content-Type': 'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8' };
const actions: readonly ActionName[] = ['updateSoftware', 'restart', 'runDiagnostics'];
const unsupportedListOptions = ['expand', 'orderby', 'count', 'search', 'skip'];

/** Splits a path into segments, turning OData key syntax `devices('id')` into `devices/id`. */
export function splitPath(path: string): string[] | undefined {
  const out: string[] = [];
  for (const raw of path.split('/')) {
    if (raw === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    const keyed = /^([A-Za-z]+)\('?([^')]*)'?\)$/.exec(segment);
    if (keyed?.[1] && keyed[2] !== undefined) out.push(keyed[1], keyed[2]);
    else out.push(segment);
  }
  return out;
}

/** The action a request names (`POST /teamwork/devices/{id}/updateSoftware`), if any. */
export function matchAction(method: string, path: string): { deviceId: string; action: ActionName } | undefined {
  if (method.toUpperCase() !== 'POST') return undefined;
  const s = splitPath(path);
  if (!s || s.length !== 4 || s[0] !== 'teamwork' || s[1] !== 'devices') return undefined;
  const action = actionName(s[3] ?? '');
  return action ? { deviceId: s[2] ?? '', action } : undefined;
}

function actionName(segment: string): ActionName | undefined {
  const bare = segment.replace(/^microsoft\.graph\./i, '');
  return actions.find((a) => a === bare);
}

function json(status: number, body: unknown): GraphAnswer {
  return { status, headers: jsonHeaders, body };
}

/** Answers one Graph request. */
export function answerGraphRequest(ctx: GraphContext, req: GraphRequest): GraphAnswer {
  const ids = { now: ctx.state.clock.now(), requestId: req.requestId, clientRequestId: req.headers['client-request-id'] };
  const bad = (message: string) => graphError(400, 'BadRequest', message, ids);
  const segments = splitPath(req.path);
  if (!segments) return bad('The request URL is not valid.');
  const method = req.method.toUpperCase();
  const [root, collection, deviceId, sub, subId, ...rest] = segments;
  const notAllowed = (allow: string) => graphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.', ids, { Allow: allow });
  if (isGetSchedule(segments)) return answerGetSchedule(ctx.state, ctx.graphBaseUrl, method, segments, req.body, req.claims, ids);
  if (root !== 'teamwork') return bad(`Resource not found for the segment '${root ?? ''}'.`);
  if (collection === undefined) {
    if (method !== 'GET') return notAllowed('GET');
    return json(200, { '@odata.context': `${ctx.graphBaseUrl}/$metadata#teamwork/$entity`, id: '', isTeamsEnabled: true, region: null });
  }
  if (collection !== 'devices') return bad(`Resource not found for the segment '${collection}'.`);
  if (deviceId === undefined) {
    if (method !== 'GET') return notAllowed('GET');
    return listDevices(ctx, req, ids);
  }
  if (rest.length > 0) return bad(`Resource not found for the segment '${rest[0]}'.`);
  const action = sub === undefined ? undefined : actionName(sub);
  if (action) {
    if (method !== 'POST') return notAllowed('POST');
    // Permission comes before the device lookup: a read-only app learns nothing about ids.
    if (!req.claims.roles.includes(readWriteRole)) {
      return graphError(403, 'accessDenied', `Missing role permissions on the request. API requires one of '${readWriteRole}'. Roles on the request '${req.claims.roles.join(',')}'.`, ids);
    }
  } else if (method !== 'GET') {
    return notAllowed('GET');
  }
  const index = findDeviceIndex(ctx.state.spec, deviceId);
  if (index === undefined) return graphError(404, 'itemNotFound', `No device matches id ${deviceId}.`, ids);
  const state = ctx.state;
  const quirks = ctx.quirks();
  const record = state.device(index);
  const entityContext = (suffix: string) => `${ctx.graphBaseUrl}/$metadata#teamwork/devices('${record.id}')${suffix}`;
  const selected = (allowed: readonly string[], typeName: string) => parseSelect(readQueryOption(req.query, 'select'), allowed, typeName);
  if (action) return startAction(ctx, req, index, action, ids);
  switch (sub) {
    case undefined: {
      const select = selected(deviceProperties, 'teamworkDevice');
      if (!select.ok) return bad(select.message);
      const entity = shapeDevice(record, state.lastModifiedOf(index, record), quirks);
      return json(200, singleEntity(`${ctx.graphBaseUrl}/$metadata#teamwork/devices/$entity`, selectFields(entity, select.value), quirks));
    }
    case 'health': {
      const select = selected(healthProperties, 'teamworkDeviceHealth');
      if (!select.ok) return bad(select.message);
      const software = Object.fromEntries(SoftwareTypes.map((t) => [t, state.softwareStatus(index, t, record)])) as Record<SoftwareType, SoftwareStatus | null>;
      const entity = applyHealthFaults(shapeHealth(record, software, state.lastModifiedOf(index, record)), state.healthFaultsOf(index));
      return json(200, singleEntity(entityContext('/health/$entity'), selectFields(entity, select.value), quirks));
    }
    case 'activity': {
      const select = selected(activityProperties, 'teamworkDeviceActivity');
      if (!select.ok) return bad(select.message);
      return json(200, singleEntity(entityContext('/activity/$entity'), selectFields(shapeActivity(record), select.value), quirks));
    }
    case 'configuration': {
      const select = selected(configurationProperties, 'teamworkDeviceConfiguration');
      if (!select.ok) return bad(select.message);
      const entity = shapeConfiguration(record, state.softwareOf(index, record), state.lastModifiedOf(index, record));
      return json(200, singleEntity(entityContext('/configuration/$entity'), selectFields(entity, select.value), quirks));
    }
    case 'operations': {
      const select = selected(operationProperties, 'teamworkDeviceOperation');
      if (!select.ok) return bad(select.message);
      const now = state.clock.now();
      if (subId !== undefined) {
        const op = state.findOperation(index, subId);
        if (!op) return graphError(404, 'itemNotFound', `No operation matches id ${subId} on device ${record.id}.`, ids);
        return json(200, singleEntity(entityContext('/operations/$entity'), selectFields(shapeOperation(op, now, quirks), select.value), quirks));
      }
      const top = parseTop(readQueryOption(req.query, 'top'), quirks.strictTop);
      if (!top.ok) return bad(top.message);
      const start = readStart(req.query);
      if (start === undefined) return bad('The $skiptoken is not valid.');
      const all = state.operationsOf(index);
      const page = all.slice(start, start + top.value).map((op) => selectFields(shapeOperation(op, now, quirks), select.value));
      const next = start + top.value < all.length ? start + top.value : undefined;
      const query = pageQuery(top.value, null, readQueryOption(req.query, 'select'), next);
      return json(200, listBody(`${entityContext('/operations')}`, page, quirks.odataCount ? all.length : undefined, next === undefined ? undefined : nextLink(ctx, quirks, `/teamwork/devices/${record.id}/operations`, query)));
    }
    default:
      return bad(`Resource not found for the segment '${sub}'.`);
  }
}

function readStart(query: URLSearchParams): number | undefined {
  const token = readQueryOption(query, 'skiptoken');
  return token === null ? 0 : decodeSkipToken(token);
}

function pageQuery(top: number, filter: string | null, select: string | null, next: number | undefined): string {
  const parts = [`$top=${top}`];
  if (filter !== null) parts.push(`$filter=${encodeURIComponent(filter)}`);
  if (select !== null) parts.push(`$select=${encodeURIComponent(select)}`);
  if (next !== undefined) parts.push(`$skiptoken=${encodeSkipToken(next)}`);
  return parts.join('&');
}

function nextLink(ctx: GraphContext, quirks: Quirks, path: string, query: string): string {
  // The docs' example is relative and has no version segment; clients must resolve it against the base URL.
  return `${quirks.absoluteNextLinks ? ctx.graphBaseUrl : ''}${path}?${query}`;
}

function listBody(context: string, value: unknown[], count: number | undefined, next: string | undefined): Record<string, unknown> {
  const body: Record<string, unknown> = { '@odata.context': context };
  if (count !== undefined) body['@odata.count'] = count;
  if (next !== undefined) body['@odata.nextLink'] = next;
  body.value = value;
  return body;
}

const modelTypes: readonly DeviceType[] = models.map((m) => m.deviceType);

function typeAt(spec: FleetSpec, index: number): DeviceType {
  return modelTypes[spec.modelOf[index] ?? 0] ?? 'unknown';
}

/** Device indices of one page and where the next starts. */
function selectPage(spec: FleetSpec, filter: DeviceFilter | undefined, start: number, top: number): { indices: number[]; next: number | undefined; count: () => number } {
  const n = spec.deviceCount;
  if (!filter) {
    const end = Math.min(n, start + top);
    return { indices: range(start, end), next: end < n ? end : undefined, count: () => n };
  }
  if (filter.kind === 'deviceType') {
    const indices: number[] = [];
    let i = start;
    for (; i < n && indices.length < top; i++) if (typeAt(spec, i) === filter.deviceType) indices.push(i);
    let next: number | undefined;
    // Only offer a next page that holds something.
    for (let j = i; j < n; j++) if (typeAt(spec, j) === filter.deviceType) { next = j; break; }
    const count = () => { let c = 0; for (let j = 0; j < n; j++) if (typeAt(spec, j) === filter.deviceType) c++; return c; };
    return { indices, next, count };
  }
  const found = filter.kind === 'uniqueId' ? findIndexByUniqueId(spec, filter.value) : findIndexByUserId(spec, filter.value);
  const indices = found !== undefined && start === 0 ? [found] : [];
  return { indices, next: undefined, count: () => (found === undefined ? 0 : 1) };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, k) => from + k);
}

function listDevices(ctx: GraphContext, req: GraphRequest, ids: { now: number; requestId: string; clientRequestId?: string | undefined }): GraphAnswer {
  const bad = (message: string) => graphError(400, 'BadRequest', message, ids);
  const quirks = ctx.quirks();
  for (const option of unsupportedListOptions) {
    if (readQueryOption(req.query, option) !== null) return bad(`Query option '$${option}' is not supported on this resource.`);
  }
  const top = parseTop(readQueryOption(req.query, 'top'), quirks.strictTop);
  if (!top.ok) return bad(top.message);
  const selectText = readQueryOption(req.query, 'select');
  const select = parseSelect(selectText, deviceProperties, 'teamworkDevice');
  if (!select.ok) return bad(select.message);
  const filterText = readQueryOption(req.query, 'filter');
  let filter: DeviceFilter | undefined;
  if (filterText !== null) {
    const parsed = parseDeviceFilter(filterText);
    if (!parsed.ok) return bad(parsed.message);
    filter = parsed.value;
  }
  const start = readStart(req.query);
  if (start === undefined) return bad('The $skiptoken is not valid.');
  const state = ctx.state;
  const page = selectPage(state.spec, filter, start, top.value);
  if (quirks.sipAnalog === 'listError' && page.indices.some((i) => typeAt(state.spec, i) === 'sipAnalog')) {
    return graphError(500, 'InternalServerError', 'An internal server error occurred while serializing the device list.', ids);
  }
  const value = page.indices.map((i) => {
    const record = state.device(i);
    return selectFields(shapeDevice(record, state.lastModifiedOf(i, record), quirks), select.value);
  });
  const context = `${ctx.graphBaseUrl}/$metadata#teamwork/devices${select.value ? `(${select.value.join(',')})` : ''}`;
  const link = page.next === undefined ? undefined : nextLink(ctx, quirks, '/teamwork/devices', pageQuery(top.value, filterText, selectText, page.next));
  return json(200, listBody(context, value, quirks.odataCount ? page.count() : undefined, link));
}

function startAction(ctx: GraphContext, req: GraphRequest, index: number, action: ActionName, ids: { now: number; requestId: string; clientRequestId?: string | undefined }): GraphAnswer {
  const bad = (message: string) => graphError(400, 'BadRequest', message, ids);
  const params: { softwareType?: SoftwareType; softwareVersion?: string | null } = {};
  if (action === 'updateSoftware') {
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return bad("updateSoftware needs a JSON body sent with 'Content-Type: application/json'.");
    const body = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return bad('The request body must be a JSON object with softwareType and softwareVersion.');
    for (const key of Object.keys(body)) {
      if (key !== 'softwareType' && key !== 'softwareVersion') return bad(`The property '${key}' does not exist on the parameters of action 'microsoft.graph.updateSoftware'.`);
    }
    const { softwareType, softwareVersion } = body as { softwareType?: unknown; softwareVersion?: unknown };
    const type = typeof softwareType === 'string' ? SoftwareTypes.find((t) => t.toLowerCase() === softwareType.toLowerCase()) : undefined;
    if (!type) return bad(`Cannot convert the literal '${String(softwareType)}' to the expected type 'microsoft.graph.teamworkSoftwareType'.`);
    if (softwareVersion !== undefined && softwareVersion !== null && (typeof softwareVersion !== 'string' || softwareVersion.trim() === '')) {
      return bad('softwareVersion must be a non-empty string (or omitted for the available version).');
    }
    params.softwareType = type;
    params.softwareVersion = (softwareVersion as string | null | undefined) ?? null;
  }
  const state = ctx.state;
  const result = state.startAction(index, action, params, { id: req.claims.appid, displayName: req.claims.app_displayname }, { stuck: ctx.decideStuck() });
  const deviceId = state.device(index).id;
  if (result.kind === 'invalid') return { ...bad(result.message), action: { targetVersion: null, fromVersion: null, operationId: null } };
  const op = result.operation;
  const meta = { targetVersion: op.toVersion ?? null, fromVersion: op.fromVersion ?? null, operationId: op.id };
  if (result.kind === 'conflict') {
    return { ...graphError(409, 'Conflict', 'An operation of this type is already queued for the device.', ids), action: { targetVersion: null, fromVersion: null, operationId: op.id } };
  }
  return { status: 202, headers: { Location: `/teamwork/devices/${deviceId}/operations/${op.id}` }, action: meta };
}
