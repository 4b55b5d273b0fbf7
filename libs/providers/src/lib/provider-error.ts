/** A failed provider call, classified for the retry policy. Never carries credentials. */
export class ProviderError extends Error {
  constructor(
    message: string,
    /** Worth trying again: rate limits, server errors, timeouts, dropped or garbled responses. */
    readonly retryable: boolean,
    readonly status?: number,
    /** The provider's retry-after, when it sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}
