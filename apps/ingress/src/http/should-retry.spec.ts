import { ERROR_CODES, type ErrorCode } from '@switchyard/contracts';
import { MAX_RETRY_WAIT_SECONDS, shouldRetry } from './should-retry';

const error = (code: ErrorCode, extra: { field?: string; retryAfterSeconds?: number } = {}) => ({
  code,
  message: 'm',
  ...extra,
});

describe(shouldRetry.name, () => {
  it('says false for requests that fail the same way again', () => {
    for (const code of [
      'invalid_json',
      'invalid_request',
      'payload_too_large',
      'unauthorized',
      'unknown_tenant',
      'not_found',
      'no_route',
    ] as const)
      expect([code, shouldRetry(error(code))]).toEqual([code, false]);
  });

  it('says false when a provider may have been called and paid', () => {
    expect(shouldRetry(error('provider_error'))).toBe(false);
    expect(shouldRetry(error('timeout', { retryAfterSeconds: 1 }))).toBe(false);
    expect(shouldRetry(error('internal_error'))).toBe(false);
  });

  it('says true for a timeout that only waited for an earlier call with the same request id', () => {
    expect(shouldRetry(error('timeout', { field: 'requestId', retryAfterSeconds: 1 }))).toBe(true);
  });

  it('says true when nothing ran and the cause passes', () => {
    expect(shouldRetry(error('unavailable', { retryAfterSeconds: 2 }))).toBe(true);
    expect(shouldRetry(error('unavailable'))).toBe(true);
    expect(shouldRetry(error('request_timeout'))).toBe(true);
    expect(shouldRetry(error('rate_limited', { retryAfterSeconds: 12 }))).toBe(true);
    expect(shouldRetry(error('all_quotas_exhausted', { retryAfterSeconds: 30 }))).toBe(true);
  });

  it('says false for limits that last longer than an SDK should sleep, or for ever', () => {
    expect(shouldRetry(error('all_quotas_exhausted', { retryAfterSeconds: 6 * 3600 }))).toBe(false);
    expect(shouldRetry(error('rate_limited', { retryAfterSeconds: MAX_RETRY_WAIT_SECONDS + 1 }))).toBe(false);
    expect(shouldRetry(error('rate_limited', { field: 'params.maxTokens' }))).toBe(false);
    expect(shouldRetry(error('all_quotas_exhausted'))).toBe(false);
  });

  it('has a verdict for every error code', () => {
    for (const code of ERROR_CODES) expect(typeof shouldRetry(error(code))).toBe('boolean');
  });
});
