import { Module } from '@nestjs/common';
import { QueryStats } from './query-stats.usecase';
import { StatsController } from './stats.controller';

/** Stats queries over the rollups (NATS and HTTP). Needs PersistenceModule and TenancyModule. */
@Module({ controllers: [StatsController], providers: [QueryStats] })
export class StatsModule {}
