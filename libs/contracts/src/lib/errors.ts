import { z } from 'zod';

/** Every error code a caller can receive. Codes are stable; messages are for people. */
export const ERROR_CODES = [
  'invalid_json',
  'invalid_request',
  'payload_too_large',
  'unauthorized',
  'unknown_tenant',
  'not_found',
  'no_route',
  'all_quotas_exhausted',
  'rate_limited',
  'provider_error',
  'timeout',
  'request_timeout',
  'unavailable',
  'internal_error',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export const routerErrorSchema = z.object({
  /** Stable machine-readable code. */
  code: z.enum(ERROR_CODES),
  /** What went wrong, for a person. */
  message: z.string(),
  /** Path of the offending field in the payload (`messages.0.content`), when one is to blame. */
  field: z.string().optional(),
  /** Seconds after which the same request may succeed (quotas, overload). */
  retryAfterSeconds: z.number().nonnegative().optional(),
});

export type RouterErrorBody = z.infer<typeof routerErrorSchema>;

/** HTTP status for each error code, used by ingress's HTTP door. */
export const HTTP_STATUS_BY_CODE: Record<ErrorCode, number> = {
  invalid_json: 400,
  invalid_request: 400,
  payload_too_large: 413,
  unauthorized: 401,
  unknown_tenant: 403,
  not_found: 404,
  no_route: 422,
  all_quotas_exhausted: 429,
  rate_limited: 429,
  provider_error: 502,
  timeout: 504,
  request_timeout: 408,
  unavailable: 503,
  internal_error: 500,
};

/** An error that crosses a service boundary as a RouterErrorBody. */
export class RouterError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'RouterError';
  }

  toBody(): RouterErrorBody {
    const body: RouterErrorBody = { code: this.code, message: this.message };
    if (this.field !== undefined) body.field = this.field;
    if (this.retryAfterSeconds !== undefined) body.retryAfterSeconds = this.retryAfterSeconds;
    return body;
  }
}
