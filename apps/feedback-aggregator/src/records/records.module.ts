import { Module } from '@nestjs/common';
import { RecordCompletion } from './record-completion.usecase';
import { RecordFeedback } from './record-feedback.usecase';
import { RecordsController } from './records.controller';

@Module({
  controllers: [RecordsController],
  providers: [RecordCompletion, RecordFeedback],
})
export class RecordsModule {}
