import { type NatsConnection, connect } from '@nats-io/transport-node';
import { testInfra, uniqueName } from '@switchyard/testing';
import { requestService } from './nats-request';

// Real NATS, on subjects of this test's own.
describe(requestService.name, () => {
  const subject = uniqueName('cli-request');
  let nc: NatsConnection;

  beforeAll(async () => {
    nc = await connect({ servers: testInfra.natsUrl });
  });
  afterAll(async () => {
    await nc.close();
  });

  it('names the service when nobody listens on its subject', async () => {
    await expect(requestService(nc, 'feedback-aggregator', `${subject}.none`, '{}', { timeout: 2000 })).rejects.toThrow(
      `no feedback-aggregator is listening on ${subject}.none (is it running? npx switchyard serve; NATS_URL names the server)`,
    );
  });

  it('names the service and the wait when a listener does not answer in time', async () => {
    const silent = nc.subscribe(`${subject}.silent`);
    await nc.flush();
    await expect(requestService(nc, 'rule-optimizer', `${subject}.silent`, '{}', { timeout: 200 })).rejects.toThrow(
      `rule-optimizer did not answer on ${subject}.silent within 0.2 s`,
    );
    silent.unsubscribe();
  });

  it('gives the answer of a listener that answers', async () => {
    const echo = nc.subscribe(`${subject}.echo`, { callback: (_err, msg) => void msg.respond(`re: ${msg.string()}`) });
    await nc.flush();
    const reply = await requestService(nc, 'echo', `${subject}.echo`, 'hi', { timeout: 2000 });
    expect(reply.string()).toBe('re: hi');
    echo.unsubscribe();
  });
});
