import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { SUBJECTS, optimizerRunRequestSchema, parsePayload, type OptimizerRunAccepted } from '@switchyard/contracts';
import { type IncomingMessage, OnSubject } from '@switchyard/messaging';
import { OptimizerReportRepository, type OptimizerReportEntity } from '@switchyard/persistence';
import { RequestOptimizerRun } from './request-optimizer-run.usecase';

@Controller()
export class JobsController {
  constructor(
    private readonly requestRun: RequestOptimizerRun,
    private readonly reports: OptimizerReportRepository,
  ) {}

  @OnSubject(SUBJECTS.optimizerRunRequested)
  async onRunRequested(msg: IncomingMessage): Promise<OptimizerRunAccepted> {
    return this.requestRun.execute(parsePayload(optimizerRunRequestSchema, msg.json(), SUBJECTS.optimizerRunRequested));
  }

  @Post('v1/optimizer/runs')
  @HttpCode(202)
  async postRun(@Body() body: unknown): Promise<OptimizerRunAccepted> {
    return this.requestRun.execute(parsePayload(optimizerRunRequestSchema, body ?? {}, 'body'));
  }

  @Get('v1/optimizer/reports/latest')
  async latest(@Query('kind') kind = 'model-stats'): Promise<OptimizerReportEntity> {
    const report = await this.reports.latest(kind);
    if (!report) throw new NotFoundException({ error: { code: 'not_found', message: `no ${kind} report yet` } });
    return report;
  }

  @Get('v1/optimizer/reports/:reportId')
  async byId(@Param('reportId') reportId: string): Promise<OptimizerReportEntity> {
    const report = await this.reports.findByReportId(reportId);
    if (!report) throw new NotFoundException({ error: { code: 'not_found', message: `no report ${reportId}` } });
    return report;
  }
}
