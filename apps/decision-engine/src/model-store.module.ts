import { type DynamicModule, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { RouterModelRepository, mongoConnectOptions } from '@switchyard/persistence';
import { ROUTER_MODEL_SOURCE, type RouterModelSource } from '@switchyard/policy-store';
import mongoose, { type Connection } from 'mongoose';

const MODEL_STORE_CONNECTION = Symbol('MODEL_STORE_CONNECTION');
const logger = new Logger('ModelStore');

/**
 * Where this replica reads the learned routers published policies name by version. The connection opens in
 * the background: decision-engine starts and routes without MongoDB, and a policy naming a router is
 * refused (the one in force keeps serving) while the store cannot be read.
 */
@Module({})
export class ModelStoreModule implements OnApplicationShutdown {
  constructor(@Inject(MODEL_STORE_CONNECTION) private readonly connection: Connection) {}

  static forRoot(uri: string): DynamicModule {
    return {
      exports: [ROUTER_MODEL_SOURCE],
      global: true,
      module: ModelStoreModule,
      providers: [
        {
          provide: MODEL_STORE_CONNECTION,
          useFactory: () => {
            const connection = mongoose.createConnection(uri, mongoConnectOptions(uri));
            // Unreachable is not fatal here: a router that cannot be fetched refuses only the policy naming it.
            connection.on('error', (err: Error) => logger.warn(`model store: ${err.message}`));
            return connection;
          },
        },
        {
          inject: [MODEL_STORE_CONNECTION],
          provide: ROUTER_MODEL_SOURCE,
          useFactory: (connection: Connection): RouterModelSource => new RouterModelRepository(connection),
        },
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }
}
