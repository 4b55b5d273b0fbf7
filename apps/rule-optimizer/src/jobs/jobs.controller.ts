import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, UseFilters } from '@nestjs/common';
import {
  RouterError,
  SUBJECTS,
  optimizerRunRequestSchema,
  parsePayload,
  type OptimizerRunAccepted,
} from '@switchyard/contracts';
import { type IncomingMessage, OnSubject } from '@switchyard/messaging';
import { OptimizerReportRepository, type OptimizerReportEntity } from '@switchyard/persistence';
import { RouterErrorFilter } from '@switchyard/runtime';
import { TenantAuthenticator } from '@switchyard/tenancy';
import { RequestOptimizerRun } from './request-optimizer-run.usecase';

/**
 * Optimizer runs and reports. Reports span every tenant, so the HTTP API takes an admin key; on NATS only
 * the admin user may publish the run subject (deploy/k8s/nats/nats-server.conf).
 */
@Controller()
@UseFilters(RouterErrorFilter)
export class JobsController {
  constructor(
    private readonly requestRun: RequestOptimizerRun,
    private readonly reports: OptimizerReportRepository,
    private readonly tenants: TenantAuthenticator,
  ) {}

  @OnSubject(SUBJECTS.optimizerRunRequested)
  async onRunRequested(msg: IncomingMessage): Promise<OptimizerRunAccepted> {
    return this.requestRun.execute(parsePayload(optimizerRunRequestSchema, msg.json(), SUBJECTS.optimizerRunRequested));
  }

  @Post('v1/optimizer/runs')
  @HttpCode(202)
  async postRun(
    @Headers('authorization') authorization: string | undefined,
    @Body() body: unknown,
  ): Promise<OptimizerRunAccepted> {
    this.tenants.requireAdmin(authorization);
    return this.requestRun.execute(parsePayload(optimizerRunRequestSchema, body ?? {}, 'body'));
  }

  @Get('v1/optimizer/reports/latest')
  async latest(
    @Headers('authorization') authorization: string | undefined,
    @Query('kind') kind = 'model-stats',
  ): Promise<OptimizerReportEntity> {
    this.tenants.requireAdmin(authorization);
    const report = await this.reports.latest(kind);
    if (!report) throw new RouterError('not_found', `no ${kind} report yet`);
    return report;
  }

  @Get('v1/optimizer/reports/:reportId')
  async byId(
    @Headers('authorization') authorization: string | undefined,
    @Param('reportId') reportId: string,
  ): Promise<OptimizerReportEntity> {
    this.tenants.requireAdmin(authorization);
    const report = await this.reports.findByReportId(reportId);
    if (!report) throw new RouterError('not_found', `no report ${reportId}`);
    return report;
  }
}
