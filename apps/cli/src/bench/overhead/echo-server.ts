import { once } from 'node:events';
import { connect } from '@nats-io/transport-node';

export interface EchoServerOptions {
  natsUrl: string;
  subject: string;
}

/** The line the echo prints once its subscription is on the server, so a parent knows when to start timing. */
export const ECHO_READY = 'echo ready';

/**
 * A raw NATS request-reply echo in a process of its own (`switchyard bench echo`): the floor that `bench
 * overhead` measures the pipeline against, one inter-process round trip with nothing else on it. Runs until
 * SIGTERM or SIGINT.
 */
export async function runEchoServer(opts: EchoServerOptions): Promise<number> {
  const nc = await connect({ servers: opts.natsUrl, name: 'switchyard-bench-echo' });
  nc.subscribe(opts.subject, {
    callback: (_err, m) => {
      m.respond(m.data);
    },
  });
  await nc.flush();
  process.stdout.write(`${ECHO_READY}\n`);
  await Promise.race([once(process, 'SIGTERM'), once(process, 'SIGINT')]);
  await nc.drain();
  return 0;
}
