import { type MsgHdrs, headers as natsHeaders } from '@nats-io/transport-node';
import { HEADERS } from '@switchyard/contracts';
import { currentTraceparent } from '@switchyard/observability';

export interface OutgoingMeta {
  messageId?: string;
  replyTo?: string;
  deadline?: number;
  /** Defaults to the active OpenTelemetry context's traceparent. */
  traceparent?: string;
}

export function buildHeaders(meta: OutgoingMeta): MsgHdrs {
  const h = natsHeaders();
  const traceparent = meta.traceparent ?? currentTraceparent();
  if (traceparent) h.set(HEADERS.traceparent, traceparent);
  if (meta.messageId) h.set(HEADERS.messageId, meta.messageId);
  if (meta.replyTo) h.set(HEADERS.replyTo, meta.replyTo);
  if (meta.deadline !== undefined) h.set(HEADERS.deadline, String(meta.deadline));
  return h;
}

export function encodeJson(payload: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(payload));
}
