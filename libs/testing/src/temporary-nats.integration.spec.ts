import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { TemporaryNats } from './temporary-nats';

const CONFIG = join(__dirname, '../../../deploy/k8s/nats/nats-server.conf');

describe(TemporaryNats.name, () => {
  it('starts on the deployment configuration while its fixed monitoring port (8222) is taken', async () => {
    // Hold 8222 for the test unless something on the machine already does: either way it is taken.
    const holder = createServer();
    holder.listen(8222, '127.0.0.1');
    const held = await Promise.race([
      once(holder, 'listening').then(() => true),
      once(holder, 'error').then(([e]) => {
        if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
        return false;
      }),
    ]);
    const nats = new TemporaryNats(CONFIG);
    try {
      await nats.start();
      const nc = await connect({ servers: nats.url, user: 'admin', pass: nats.passwords.admin });
      await nc.flush();
      await nc.close();
      expect(nats.logs()).toMatch(/Starting http monitor on 127\.0\.0\.1:(?!8222\b)\d+/);
    } finally {
      await nats.stop();
      if (held) holder.close();
    }
  });
});
