import { CannotHonourError, ProviderError } from '@switchyard/providers';
import { StreamBrokenError, failureStatus } from './call-model';

describe(failureStatus.name, () => {
  const live = new AbortController().signal;
  const timedOut = AbortSignal.abort(new DOMException('timed out', 'TimeoutError'));

  it("names a failed try by the provider's HTTP status when it answered one", () => {
    expect(failureStatus(new ProviderError('rate limited', true, 429), live)).toBe('429');
    expect(failureStatus(new ProviderError('refused', false, 400), timedOut)).toBe('400');
  });

  it('names the other failures by kind, never by message', () => {
    expect(failureStatus(new ProviderError('call timed out', true), timedOut)).toBe('timeout');
    expect(failureStatus(new ProviderError('connection failed: ECONNREFUSED', true), live)).toBe('transient');
    expect(failureStatus(new ProviderError('no API key', false), live)).toBe('rejected');
    expect(failureStatus(new StreamBrokenError('reset'), live)).toBe('stream_broken');
    expect(failureStatus(new CannotHonourError('cannot honour params.n', 'params.n'), live)).toBe('cannot_honour');
    expect(failureStatus(new TypeError('x is undefined'), live)).toBe('internal');
  });
});
