import { type MsgHdrs, headers } from '@nats-io/transport-node';

/** NATS headers with a tenant key, as any product team's client sends them on router.request.v1. */
export function bearerHeaders(key: string): MsgHdrs {
  const h = headers();
  h.set('Authorization', `Bearer ${key}`);
  return h;
}
