import { type Msg, type MsgHdrs, type NatsConnection, RequestError, TimeoutError } from '@nats-io/transport-node';

/**
 * A request to a service over NATS whose failure names the service: nobody listening on the subject (the
 * service is not running, or not on this NATS) or no answer in time, instead of `no responders: '<subject>'`.
 */
export async function requestService(
  nc: NatsConnection,
  service: string,
  subject: string,
  body: string,
  opts: { timeout: number; headers?: MsgHdrs },
): Promise<Msg> {
  try {
    return await nc.request(subject, body, opts);
  } catch (err) {
    if (err instanceof RequestError && err.isNoResponders())
      throw new Error(
        `no ${service} is listening on ${subject} (is it running? npx switchyard serve; NATS_URL names the server)`,
      );
    if (err instanceof TimeoutError || (err instanceof RequestError && err.cause instanceof TimeoutError))
      throw new Error(`${service} did not answer on ${subject} within ${opts.timeout / 1000} s`);
    throw err;
  }
}
