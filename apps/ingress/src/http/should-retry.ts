import type { ErrorCode, RouterErrorBody } from '@switchyard/contracts';

/**
 * The longest `retry-after` worth an SDK's wait. OpenAI's node SDK sleeps for whatever `retry-after` says
 * (v6 has no cap), so a budget spent until UTC midnight must not be answered `true`: the caller's process
 * would hang for hours on a call that cannot succeed before then.
 */
export const MAX_RETRY_WAIT_SECONDS = 60;

/** Refused before any work, with a wait short enough to be worth it. */
const soonAfter = (error: RouterErrorBody) =>
  error.retryAfterSeconds !== undefined && error.retryAfterSeconds <= MAX_RETRY_WAIT_SECONDS;

/**
 * What `x-should-retry` says for each error code; OpenAI's SDKs obey it over their own rule (retry 408,
 * 409, 429 and 5xx). `false` where a retry would pay twice or cannot succeed, `true` where nothing was run
 * and the cause passes. Only answers are kept under a request id (a failure releases it), so a known id
 * does not make a retry a replay: the one error a retry is answered from the first call for is the
 * `timeout` of a call that waited for another with the same id (`field: requestId`).
 */
export const SHOULD_RETRY_BY_CODE: Record<ErrorCode, boolean | ((error: RouterErrorBody) => boolean)> = {
  // The same bytes fail the same way.
  invalid_json: false,
  invalid_request: false,
  payload_too_large: false,
  unauthorized: false,
  unknown_tenant: false,
  not_found: false,
  // The policy names no model for this request: nothing changes until the policy does.
  no_route: false,
  // Refused before any model was called: every model cooling down (30 s) is worth the wait; quotas and
  // budgets spent until UTC midnight are not.
  all_quotas_exhausted: soonAfter,
  // Per-minute limits with a retry-after are worth the wait; without one the request alone is over the
  // tenant's tokens per minute and never fits.
  rate_limited: soonAfter,
  // provider-adapters already retried with backoff and fell back to other models; a stream that broke
  // after its first tokens was paid for, and the SDK's retries would only multiply calls to a failing
  // provider.
  provider_error: false,
  // The deadline passed while the plan ran: the model may have answered and been paid, and the answer is
  // not kept, so a retry pays again. A call that only waited for an earlier one with the same request id
  // (field `requestId`) is safe: its retry gets that call's stored answer, or runs it if it failed.
  timeout: (error) => error.field === 'requestId',
  // The body did not arrive in time: nothing ran.
  request_timeout: true,
  // Every `unavailable` is said before a provider is called (a store away, keys not loaded yet, records
  // cannot be written so nothing is called, no replica subscribed).
  unavailable: true,
  // Where it failed is unknown (possibly after the provider was paid), and our own faults repeat.
  internal_error: false,
};

/** The `x-should-retry` verdict on an error answer. */
export function shouldRetry(error: RouterErrorBody): boolean {
  const rule = SHOULD_RETRY_BY_CODE[error.code];
  return typeof rule === 'boolean' ? rule : rule(error);
}
