import { z } from 'zod';

/**
 * Tenant names: what a tenant key, a record id and a NATS header may carry without escaping. No `:` (it
 * separates the tenant from the request id in a record key) and ASCII only (HTTP header values are Latin-1:
 * a UTF-8 name would arrive garbled).
 */
export const TENANT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const TENANT_RULE = 'must be 1-64 characters of A-Z a-z 0-9 . _ - starting with a letter or digit';

/** Request and feedback ids callers choose. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
export const REQUEST_ID_RULE = 'must be 1-128 characters of A-Z a-z 0-9 . _ : -';

/**
 * The id of a request's routing record, of its completion event (`Nats-Msg-Id`) and of its hop messages:
 * request ids are chosen by callers, so two tenants may use the same one; the tenant makes it unique. The
 * tenant cannot contain `:`, so the first `:` splits the key back unambiguously.
 */
export function recordKey(tenant: string, requestId: string): string {
  return `${tenant}:${requestId}`;
}

/**
 * `Nats-Msg-Id` of a completion record: one per attempt at a request (ingress's `receivedAt` tells attempts
 * apart), so a redelivered or re-published attempt is stored once, while a caller's retry under the same id
 * after a failed attempt (which was paid for again) is recorded too instead of being dropped as a duplicate.
 */
export function attemptKey(tenant: string, requestId: string, receivedAt: number): string {
  return `${recordKey(tenant, requestId)}@${receivedAt}`;
}

/**
 * `Nats-Msg-Id` of a judge's grade of an answer (router.label.judged.v1): one per attempt, in its own
 * namespace, so a re-published grade of the same answer is stored once.
 */
export function judgedKey(tenant: string, requestId: string, receivedAt: number): string {
  return `judge:${attemptKey(tenant, requestId, receivedAt)}`;
}

/** `Nats-Msg-Id` of a feedback event: its own namespace, so a feedback id never collides with a request's. */
export function feedbackKey(tenant: string, feedbackId: string): string {
  return `fb:${tenant}:${feedbackId}`;
}

/** The tenant and request id of a record key. */
export function parseRecordKey(key: string): { tenant: string; requestId: string } | undefined {
  const at = key.indexOf(':');
  if (at <= 0) return undefined;
  const tenant = key.slice(0, at);
  const requestId = key.slice(at + 1);
  return TENANT_PATTERN.test(tenant) && REQUEST_ID_PATTERN.test(requestId) ? { tenant, requestId } : undefined;
}

/** A tenant name, checked. */
export const tenantSchema = z.string().regex(TENANT_PATTERN, TENANT_RULE);
/** A caller's request or feedback id, checked. */
export const requestIdSchema = z.string().regex(REQUEST_ID_PATTERN, REQUEST_ID_RULE);
