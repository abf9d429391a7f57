// Shared by the answer-table tests over HTTP: a GraphHttp that records the table row of every
// answer it classifies, and one call made either as a single request or as a $batch item.
import type { ManualClock } from '../../../controller/model/clock.ts';
import { FleetError } from '../../../controller/model/fleet.ts';
import { GraphHttp } from '../../../controller/fleet/graph/graph-http.ts';
import { runBatch } from '../../../controller/fleet/graph/batch.ts';
import { readErrorCode } from '../../../controller/fleet/graph/graph-error.ts';
import type { AnswerClass } from '../../../controller/fleet/graph/classify-answer.ts';
import { drive } from './drive.ts';

export type Via = 'single' | 'item';

/** How a call ended: an answer handed to the caller, or a FleetError. */
export type Observed =
  | { readonly delivered: number; readonly code: string | undefined }
  | { readonly failed: string | undefined; readonly status: number | undefined; readonly retryable: boolean; readonly retryAfterMs: number | undefined };

export interface Call {
  readonly method: 'GET' | 'POST';
  /** Relative to the version root. */
  readonly path: string;
  readonly body?: unknown;
}

/** GraphHttp that remembers the table row of every answer it classifies. */
export class RecordingHttp extends GraphHttp {
  readonly rows: string[] = [];
  override classify(response: Parameters<GraphHttp['classify']>[0]): AnswerClass {
    const answer = super.classify(response);
    this.rows.push(answer.row);
    return answer;
  }
}

function failure(error: FleetError): Observed {
  return { failed: error.code, status: error.status, retryable: error.retryable, retryAfterMs: error.retryAfterMs };
}

/** Makes `call` through GraphHttp.send (a GET is idempotent, a POST is not) or as the only item of runBatch. */
export async function callVia(http: GraphHttp, clock: ManualClock, call: Call, via: Via): Promise<Observed> {
  try {
    if (via === 'single') {
      const response = await drive(clock, http.send({ ...call, url: call.path, idempotent: call.method === 'GET', what: 'row' }));
      return { delivered: response.status, code: readErrorCode(response.body) };
    }
    const result = (await drive(clock, runBatch(http, [{ key: 'k', ...call }], { what: 'row' }))).get('k');
    if (!result) throw new Error('runBatch gave the item no result');
    return result.kind === 'response' ? { delivered: result.status, code: readErrorCode(result.body) } : failure(result.error);
  } catch (error) {
    if (!(error instanceof FleetError)) throw error;
    return failure(error);
  }
}
