import { Module } from '@nestjs/common';
import { DecisionController } from './decision.controller';
import { MakeDecision } from './make-decision.usecase';

@Module({
  controllers: [DecisionController],
  providers: [MakeDecision],
})
export class DecisionModule {}
