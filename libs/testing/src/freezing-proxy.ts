import { once } from 'node:events';
import { type AddressInfo, type Server, type Socket, createConnection, createServer } from 'node:net';

/**
 * A TCP proxy on a free loopback port in front of `target`, that can freeze: while frozen it reads nothing
 * from either side (the bytes wait in the kernel's buffers) but keeps every connection open, which is what a
 * hung server or a silent network looks like to a client (no reset, no answer). Thawed, the held bytes flow.
 * For tests of how long a client waits on a server that stops answering.
 */
export class FreezingProxy {
  private readonly pairs = new Set<[Socket, Socket]>();
  private frozen = false;
  private readonly server: Server;

  private constructor(private readonly target: { host: string; port: number }) {
    this.server = createServer((client) => this.accept(client));
  }

  static async start(target: { host: string; port: number }): Promise<FreezingProxy> {
    const proxy = new FreezingProxy(target);
    proxy.server.listen(0, '127.0.0.1');
    await once(proxy.server, 'listening');
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  private accept(client: Socket): void {
    const upstream = createConnection(this.target);
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    if (this.frozen) for (const s of pair) s.pause();
    // Forwarded by hand, not piped: a pipe resumes a paused source when its destination drains.
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => client.write(chunk));
    const close = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const s of pair) {
      s.on('error', close);
      s.on('close', close);
    }
  }

  /** Connections open through the proxy now. */
  get connections(): number {
    return this.pairs.size;
  }

  freeze(): void {
    this.frozen = true;
    for (const pair of this.pairs) for (const s of pair) s.pause();
  }

  /**
   * Lets bytes flow again. `dropHeld`: the connections open now are cut instead, and what they held is
   * never delivered (a network that lost it); new connections work.
   */
  thaw(options: { dropHeld?: boolean } = {}): void {
    this.frozen = false;
    for (const pair of [...this.pairs])
      for (const s of pair) {
        if (options.dropHeld) s.destroy();
        else s.resume();
      }
  }

  async close(): Promise<void> {
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    this.pairs.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
