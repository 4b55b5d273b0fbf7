import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { type Server, createServer } from 'node:net';
import { freePort } from '@switchyard/launcher';
import { Redis } from 'ioredis';
import { killAndWait } from './accepts-connections';
import { startServer } from './start-server';

// The real redis-server binary, and a listener of the test's own that takes the port in the gap between
// picking it and the child binding it (what another process on the machine may do).
describe(startServer.name, () => {
  const taken: Server[] = [];
  const children: ReturnType<typeof spawn>[] = [];
  const redis = (port: number) => {
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', ''], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    return child;
  };
  const take = async (port: number) => {
    const server = createServer();
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    taken.push(server);
  };

  afterAll(async () => {
    await Promise.all(children.map((c) => killAndWait(c)));
    for (const server of taken) server.close();
  });

  it('starts again on another port when the picked one is taken before the child binds it', async () => {
    const ports: number[] = [];
    const { child, port } = await startServer({
      name: 'redis-server',
      spawn: async (port) => {
        ports.push(port);
        if (ports.length === 1) await take(port);
        return redis(port);
      },
    });
    // The first port answered (the test's listener) while its child had exited: not taken for it.
    expect(ports).toHaveLength(2);
    expect(port).toBe(ports[1]);
    expect(child.exitCode).toBeNull();
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
    await client.connect();
    expect(await client.ping()).toBe('PONG');
    await client.quit();
  });

  it('does not pick another for a fixed port, and says what the child printed', async () => {
    const port = await freePort();
    await take(port);
    await expect(startServer({ name: 'redis-server', port, spawn: redis, timeoutMs: 5_000 })).rejects.toThrow(
      new RegExp(`redis-server exited on port ${port} \\(1\\): .*(Address already in use|bind)`, 's'),
    );
  });
});
