import type { FeedbackRequest } from '@switchyard/contracts';
import { endpointOf, httpFailure, postToIngress, readError } from '../http/ingress-http';
import type { CliIo } from '../program/cli-context';

export const FEEDBACK_PATH = '/v1/feedback';

export interface FeedbackOptions {
  /** The body, already checked against feedbackRequestSchema. */
  feedback: FeedbackRequest;
  url: string;
  apiKey?: string;
  timeoutMs: number;
  json: boolean;
}

/**
 * `switchyard feedback REQUEST_ID`: a rating and/or success on an earlier answer, through the HTTP door
 * (POST /v1/feedback). Accepted means stored durably; it joins the request's record once that is stored.
 */
export async function runFeedback(opts: FeedbackOptions, io: Pick<CliIo, 'stdout' | 'stderr'>): Promise<number> {
  const endpoint = endpointOf(opts.url, FEEDBACK_PATH);
  const res = await postToIngress({
    url: opts.url,
    path: FEEDBACK_PATH,
    body: opts.feedback,
    apiKey: opts.apiKey,
    signal: AbortSignal.timeout(opts.timeoutMs),
    timeoutMs: opts.timeoutMs,
  });
  let accepted: { feedbackId?: string; requestId?: string };
  try {
    if (!res.ok) {
      const failure = await httpFailure(res);
      if (opts.json && failure.body !== undefined) io.stdout(`${JSON.stringify(failure.body, null, 2)}\n`);
      io.stderr(`switchyard: feedback refused: ${failure.message}\n`);
      return 1;
    }
    accepted = (await res.json()) as typeof accepted;
  } catch (err) {
    throw readError(err, endpoint, opts.timeoutMs);
  }
  io.stdout(
    opts.json
      ? `${JSON.stringify(accepted, null, 2)}\n`
      : `feedback ${accepted.feedbackId} on request ${accepted.requestId} accepted\n`,
  );
  return 0;
}
