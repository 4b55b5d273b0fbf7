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

/**
 * The safety net under routing's capability check: a call asks for something this provider cannot express
 * (`anthropic cannot honour params.n = 3`). Not retryable, and never silently dropped instead.
 */
export function cannotHonour(provider: string, field: string, value: unknown, why?: string): CannotHonourError {
  const shown = typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  return new CannotHonourError(`${provider} cannot honour ${field} = ${shown}${why ? ` (${why})` : ''}`, field);
}

/** The request, not the provider, is the problem: the caller gets a 400 naming `field`, nothing is retried. */
export class CannotHonourError extends ProviderError {
  /** The request's field, as the contract names it (`params.n`, `messages.1.toolCalls.0.arguments`). */
  readonly field: string;

  constructor(message: string, field: string) {
    super(message, false);
    this.field = field.replace(/\[(\d+)\]/g, '.$1'); // `messages[1].content` is the contract's `messages.1.content`
    this.name = 'CannotHonourError';
  }
}
