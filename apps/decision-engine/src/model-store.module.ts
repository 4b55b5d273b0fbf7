import { type DynamicModule, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { RouterModelRepository, mongoConnectOptions } from '@switchyard/persistence';
import { ROUTER_MODEL_SOURCE, type RouterModelSource } from '@switchyard/policy-store';
import mongoose, { type Connection } from 'mongoose';

const logger = new Logger('ModelStore');

/**
 * This replica's connection to the model store, read as a RouterModelSource. The driver reconnects a
 * connection that was up once, but never one whose first connect failed: a replica started while MongoDB was
 * down would refuse every policy naming a stored router until restarted. So a connection whose first connect
 * failed is dropped, and the next read opens a new one.
 */
export class ModelStoreConnection implements RouterModelSource {
  /** Connected once: the driver takes care of it from then on. */
  private up: { connection: Connection; repository: RouterModelRepository } | undefined;
  private opening: Promise<RouterModelRepository> | undefined;
  /** The connection being opened, closed at shutdown without waiting for its server selection to give up. */
  private pending: Connection | undefined;
  private closed = false;

  constructor(private readonly uri: string) {}

  /** Starts connecting in the background: decision-engine starts and routes without MongoDB. */
  open(): void {
    this.repository().catch(() => undefined);
  }

  async load(version: string): Promise<unknown> {
    return (await this.repository()).load(version);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.pending?.close().catch(() => undefined);
    await this.up?.connection.close().catch(() => undefined);
  }

  private repository(): Promise<RouterModelRepository> {
    if (this.up) return Promise.resolve(this.up.repository);
    this.opening ??= this.connect().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async connect(): Promise<RouterModelRepository> {
    if (this.closed) throw new Error('the model store connection is closed');
    const connection = mongoose.createConnection(this.uri, mongoConnectOptions(this.uri));
    // Unreachable is not fatal here: a router that cannot be fetched refuses only the policy naming it.
    connection.on('error', (err: Error) => logger.warn(`model store: ${err.message}`));
    this.pending = connection;
    try {
      await connection.asPromise();
    } catch (err) {
      await connection.close().catch(() => undefined);
      throw err;
    } finally {
      this.pending = undefined;
    }
    if (this.closed) {
      await connection.close().catch(() => undefined);
      throw new Error('the model store connection is closed');
    }
    this.up = { connection, repository: new RouterModelRepository(connection) };
    return this.up.repository;
  }
}

/**
 * Where this replica reads the learned routers published policies name by version. A policy naming a router
 * is refused (the one in force keeps serving) while the store cannot be read, and tried again once it can.
 */
@Module({})
export class ModelStoreModule implements OnApplicationShutdown {
  constructor(@Inject(ROUTER_MODEL_SOURCE) private readonly store: ModelStoreConnection) {}

  static forRoot(uri: string): DynamicModule {
    return {
      exports: [ROUTER_MODEL_SOURCE],
      global: true,
      module: ModelStoreModule,
      providers: [
        {
          provide: ROUTER_MODEL_SOURCE,
          useFactory: (): RouterModelSource => {
            const store = new ModelStoreConnection(uri);
            store.open();
            return store;
          },
        },
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
