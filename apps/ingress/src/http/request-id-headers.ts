import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { HTTP_HEADERS, REQUEST_ID_PATTERN, REQUEST_ID_RULE, RouterError } from '@switchyard/contracts';
import type { SdkAttempt } from '../chat/handle-chat-request.usecase';

/** Highest attempt number taken from `X-Stainless-Retry-Count`; the SDKs retry twice by default. */
const MAX_SDK_ATTEMPT = 100;

/**
 * The request id a caller gave in headers: `x-request-id`, or the standard `Idempotency-Key` (same tenant,
 * same key within the window: the first call's answer). A malformed key, or two headers that disagree, is a
 * 400 naming the header: silently ignoring a key the caller relies on would pay for its retries.
 */
export function requestIdFromHeaders(headers: IncomingHttpHeaders): string | undefined {
  const requestId = single(headers[HTTP_HEADERS.requestId]) || undefined;
  const raw = single(headers[HTTP_HEADERS.idempotencyKey]);
  if (raw === undefined) return requestId;
  // The IETF draft sends the key as a structured-field string ("..."); Stripe and most clients send it bare.
  const key = /^".*"$/.test(raw) ? raw.slice(1, -1) : raw;
  if (!REQUEST_ID_PATTERN.test(key))
    throw new RouterError(
      'invalid_request',
      `the Idempotency-Key header ${REQUEST_ID_RULE} (it becomes the request id); got ${key.length} characters`,
      'Idempotency-Key',
    );
  if (requestId !== undefined && requestId !== key)
    throw new RouterError(
      'invalid_request',
      'the x-request-id and Idempotency-Key headers name different requests; send one of them, or the same id in both',
      'Idempotency-Key',
    );
  return key;
}

/**
 * The attempt number OpenAI's and Anthropic's SDKs send (`X-Stainless-Retry-Count`); undefined for other
 * callers and for values that are not one (the header is theirs, not ours: never a reason to refuse).
 */
export function sdkAttemptOf(headers: IncomingHttpHeaders): number | undefined {
  const value = single(headers[HTTP_HEADERS.sdkRetryCount])?.trim();
  if (value === undefined || !/^\d{1,3}$/.test(value)) return undefined;
  const attempt = Number(value);
  return attempt <= MAX_SDK_ATTEMPT ? attempt : undefined;
}

/**
 * SHA-256 of a body's bytes as they are read by whoever reads it: a listener on the same stream, added
 * before the reader starts (both run in the same tick). The digest is final once the body has ended.
 */
export function digestWhileRead(body: Readable): () => string {
  const hash = createHash('sha256');
  const onData = (chunk: Buffer) => hash.update(chunk);
  body.on('data', onData);
  let digest: string | undefined;
  return () => {
    if (digest === undefined) {
      body.off('data', onData);
      digest = hash.digest('hex');
    }
    return digest;
  };
}

/**
 * The request's id headers, and for an SDK's call its attempt number and a digest of the body (started now,
 * so call this before the body is read; `sdkAttempt()` after). Other callers pay nothing for it.
 */
export function readRequestIdHeaders(req: IncomingMessage): {
  requestId: string | undefined;
  sdkAttempt: () => SdkAttempt | undefined;
} {
  const requestId = requestIdFromHeaders(req.headers);
  const attempt = sdkAttemptOf(req.headers);
  if (attempt === undefined) return { requestId, sdkAttempt: () => undefined };
  const digest = digestWhileRead(req);
  return { requestId, sdkAttempt: () => ({ attempt, bodyDigest: digest() }) };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
