import { type DynamicModule, Module } from '@nestjs/common';
import { QueryStats, STATS_OPTIONS, type StatsOptions } from './query-stats.usecase';
import { StatsController } from './stats.controller';

/** Stats queries over the rollups (NATS and HTTP). Needs PersistenceModule and TenancyModule. */
@Module({})
export class StatsModule {
  static forOptions(options: StatsOptions): DynamicModule {
    return {
      controllers: [StatsController],
      module: StatsModule,
      providers: [QueryStats, { provide: STATS_OPTIONS, useValue: options }],
    };
  }
}
