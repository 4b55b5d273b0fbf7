import { type DynamicModule, Module } from '@nestjs/common';
import { RollupCounter } from '../rollups/rollup-counter';
import { AGGREGATOR_CONFIG, type AggregatorConfig } from '../config';
import { ConsumerGauges } from './consumer-gauges';
import { RecordCompletion } from './record-completion.usecase';
import { RecordFeedback } from './record-feedback.usecase';
import { RecordJudgedLabel } from './record-judged-label.usecase';
import { RecordsController } from './records.controller';

@Module({})
export class RecordsModule {
  static forConfig(config: AggregatorConfig): DynamicModule {
    return {
      controllers: [RecordsController],
      module: RecordsModule,
      providers: [
        ConsumerGauges,
        RecordCompletion,
        RecordFeedback,
        RecordJudgedLabel,
        RollupCounter,
        { provide: AGGREGATOR_CONFIG, useValue: config },
      ],
    };
  }
}
