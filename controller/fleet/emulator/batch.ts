// JSON batching (POST /beta/$batch): at most 20 inner requests with unique ids (compared
// case-insensitively), optional dependsOn (a failed dependency gives 424), each inner request
// evaluated on its own — throttled ones come back 429 inside a 200 batch.
import { graphError, type GraphAnswer } from './graph-errors.ts';

export const maxBatchRequests = 20;

/** One inner request after validation. */
export interface InnerRequest {
  readonly id: string;
  readonly method: string;
  /** Path relative to the version root, with its query. */
  readonly url: string;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** Answers one inner request (throttling, routing and logging included). */
export type InnerAnswerer = (inner: InnerRequest) => GraphAnswer;

interface RawInner {
  id?: unknown;
  method?: unknown;
  url?: unknown;
  headers?: unknown;
  body?: unknown;
  dependsOn?: unknown;
}

const methods = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** Answers a whole batch: 400 when the batch itself is malformed, else 200 with one answer per id. */
export function answerBatch(
  payload: unknown,
  ids: { now: number; requestId: string; clientRequestId?: string | undefined },
  answerInner: InnerAnswerer,
  options: { reverse: boolean },
): GraphAnswer {
  const bad = (message: string) => graphError(400, 'BadRequest', message, ids);
  const requests = (payload as { requests?: unknown } | null)?.requests;
  if (typeof payload !== 'object' || payload === null || !Array.isArray(requests)) return bad('Invalid batch payload format: a JSON object with a "requests" array is expected.');
  if (requests.length === 0) return bad('A batch needs at least one request.');
  if (requests.length > maxBatchRequests) return bad(`Number of batch requests ${requests.length} exceeds the limit of ${maxBatchRequests}.`);
  const byId = new Map<string, RawInner & { id: string; deps: string[] }>();
  for (const raw of requests as RawInner[]) {
    if (typeof raw !== 'object' || raw === null) return bad('Each batch request must be a JSON object.');
    if (typeof raw.id !== 'string' || raw.id === '') return bad('Each batch request needs a non-empty string id.');
    if (typeof raw.method !== 'string' || !methods.has(raw.method.toUpperCase())) return bad(`Batch request ${raw.id} has no valid method.`);
    if (typeof raw.url !== 'string' || raw.url === '') return bad(`Batch request ${raw.id} has no url.`);
    const key = raw.id.toLowerCase();
    if (byId.has(key)) return bad(`Batch request ids must be unique (case-insensitively): '${raw.id}' repeats.`);
    if (raw.dependsOn !== undefined && (!Array.isArray(raw.dependsOn) || !raw.dependsOn.every((d) => typeof d === 'string'))) {
      return bad(`dependsOn of batch request ${raw.id} must be a list of request ids.`);
    }
    byId.set(key, { ...raw, id: raw.id, deps: ((raw.dependsOn as string[] | undefined) ?? []).map((d) => d.toLowerCase()) });
  }
  for (const item of byId.values()) {
    for (const dep of item.deps) if (!byId.has(dep) || dep === item.id.toLowerCase()) return bad(`Batch request ${item.id} depends on unknown request '${dep}'.`);
  }
  const answers = new Map<string, GraphAnswer>();
  const visiting = new Set<string>();
  let cycle = false;
  const run = (key: string): void => {
    if (answers.has(key) || cycle) return;
    if (visiting.has(key)) { cycle = true; return; }
    visiting.add(key);
    const item = byId.get(key)!;
    for (const dep of item.deps) run(dep);
    if (cycle) return;
    const failed = item.deps.find((dep) => (answers.get(dep)?.status ?? 500) >= 400);
    answers.set(key, failed !== undefined
      ? graphError(424, 'FailedDependency', `Request ${item.id} was not run: request '${failed}' it depends on failed.`, ids)
      : answerOne(item, ids, answerInner));
  };
  for (const key of byId.keys()) run(key);
  if (cycle) return bad('The dependsOn of the batch requests form a cycle.');
  const responses = [...byId.entries()].map(([key, item]) => {
    const answer = answers.get(key)!;
    const out: Record<string, unknown> = { id: item.id, status: answer.status, headers: answer.headers };
    if (answer.body !== undefined) out.body = answer.body;
    return out;
  });
  if (options.reverse) responses.reverse();
  return { status: 200, headers: { 'Content-Type': 'application/json; odata.metadata=minimal; charset=utf-8' }, body: { responses } };
}

function answerOne(item: RawInner & { id: string }, ids: { now: number; requestId: string; clientRequestId?: string | undefined }, answerInner: InnerAnswerer): GraphAnswer {
  const bad = (message: string) => graphError(400, 'BadRequest', message, ids);
  const url = item.url as string;
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return bad('Batch request urls are relative to the version root (like /teamwork/devices), not absolute.');
  const headers: Record<string, string> = {};
  if (item.headers !== undefined) {
    if (typeof item.headers !== 'object' || item.headers === null) return bad('Batch request headers must be an object.');
    for (const [k, v] of Object.entries(item.headers)) headers[k.toLowerCase()] = String(v);
  }
  let body = item.body;
  if (body !== undefined && body !== null) {
    if (!headers['content-type']) return bad('A batch request with a body needs a Content-Type header.');
    // A string body is base64 (the JSON batching format's way to carry non-JSON bodies).
    if (typeof body === 'string') {
      try {
        body = JSON.parse(Buffer.from(body, 'base64').toString('utf8'));
      } catch {
        return bad('The base64 body of the batch request is not JSON.');
      }
    }
  }
  return answerInner({ id: item.id, method: (item.method as string).toUpperCase(), url: url.startsWith('/') ? url : `/${url}`, headers, body: body ?? undefined });
}
