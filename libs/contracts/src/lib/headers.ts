/** NATS header names. Metadata travels in headers, payloads carry only the domain data. */
export const HEADERS = {
  /** W3C trace context, carried across every hop. */
  traceparent: 'traceparent',
  /** JetStream de-duplication id; also the message id on core NATS hops. */
  messageId: 'Nats-Msg-Id',
  /** Where the final answer for a request goes: the caller's inbox, kept by ingress. */
  replyTo: 'Switchyard-Reply-To',
  /** Epoch milliseconds after which nobody waits for the answer any more. */
  deadline: 'Switchyard-Deadline',
  /** Tenant API key on the public subjects: `Bearer <key>` or the bare key. */
  authorization: 'Authorization',
} as const;

/** HTTP header names on ingress. */
export const HTTP_HEADERS = {
  requestId: 'x-request-id',
  tenant: 'x-switchyard-tenant',
  /** The standard idempotency header (Stripe, IETF draft): the request id when `x-request-id` is not given. */
  idempotencyKey: 'idempotency-key',
  /** The attempt number the OpenAI and Anthropic SDKs send on every call: 0 first, then 1, 2 on their retries. */
  sdkRetryCount: 'x-stainless-retry-count',
  /** On error answers: whether the SDKs should retry (`true`/`false`); they obey it over their status rule. */
  shouldRetry: 'x-should-retry',
} as const;
