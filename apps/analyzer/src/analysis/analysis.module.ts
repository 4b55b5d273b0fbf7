import { Module } from '@nestjs/common';
import { AnalysisController } from './analysis.controller';
import { AnalyzeRequest } from './analyze-request.usecase';

@Module({
  controllers: [AnalysisController],
  providers: [AnalyzeRequest],
})
export class AnalysisModule {}
