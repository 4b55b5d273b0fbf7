import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, UseFilters } from '@nestjs/common';
import {
  RouterError,
  SUBJECTS,
  optimizerRunRequestSchema,
  parsePayload,
  type OptimizerRunAccepted,
} from '@switchyard/contracts';
import { type IncomingMessage, OnSubject } from '@switchyard/messaging';
import {
  DEFAULT_MONGO_SOCKET_TIMEOUT_MS,
  OptimizerReportRepository,
  type OptimizerReportEntity,
  type SuggestionEntity,
  SuggestionRepository,
  type SuggestionStatus,
  storeRead,
} from '@switchyard/persistence';
import { RouterErrorFilter } from '@switchyard/runtime';
import { TenantAuthenticator } from '@switchyard/tenancy';
import { RequestOptimizerRun } from './request-optimizer-run.usecase';
import { OPTIMIZER_REPORT_KIND } from './run-optimizer.usecase';

/**
 * Optimizer runs, reports and suggestions. Reports span every tenant, so the HTTP API takes an admin key; on NATS only
 * the admin user may publish the run subject (deploy/k8s/nats/nats-server.conf).
 */
@Controller()
@UseFilters(RouterErrorFilter)
export class JobsController {
  constructor(
    private readonly requestRun: RequestOptimizerRun,
    private readonly reports: OptimizerReportRepository,
    private readonly suggestionsStore: SuggestionRepository,
    private readonly tenants: TenantAuthenticator,
  ) {}

  @OnSubject(SUBJECTS.optimizerRunRequested)
  async onRunRequested(msg: IncomingMessage): Promise<OptimizerRunAccepted> {
    return this.requestRun.execute(msg.payload(SUBJECTS.optimizerRunRequested));
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

  @Get('v1/optimizer/reports')
  async list(
    @Headers('authorization') authorization: string | undefined,
    @Query('limit') limit?: string,
  ): Promise<{ reports: Array<Omit<OptimizerReportEntity, 'body'>> }> {
    this.tenants.requireAdmin(authorization);
    const n = boundedLimit(limit, 20);
    return { reports: await read('optimizer reports', () => this.reports.list(OPTIMIZER_REPORT_KIND, n)) };
  }

  @Get('v1/optimizer/reports/latest')
  async latest(@Headers('authorization') authorization: string | undefined): Promise<OptimizerReportEntity> {
    this.tenants.requireAdmin(authorization);
    const report = await read('the latest optimizer report', () => this.reports.latest(OPTIMIZER_REPORT_KIND));
    if (!report)
      throw new RouterError(
        'not_found',
        'no optimizer report yet: run one with `switchyard report --run` or POST /v1/optimizer/runs',
      );
    return report;
  }

  @Get('v1/optimizer/reports/:reportId')
  async byId(
    @Headers('authorization') authorization: string | undefined,
    @Param('reportId') reportId: string,
  ): Promise<OptimizerReportEntity> {
    this.tenants.requireAdmin(authorization);
    const report = await read(`report ${reportId}`, () => this.reports.findByReportId(reportId));
    if (!report) throw new RouterError('not_found', `no report ${reportId}`);
    return report;
  }

  @Get('v1/optimizer/suggestions')
  async suggestions(
    @Headers('authorization') authorization: string | undefined,
    @Query('status') status?: string,
    @Query('limit') limit?: string,
  ): Promise<{ suggestions: SuggestionEntity[] }> {
    this.tenants.requireAdmin(authorization);
    if (status !== undefined && !SUGGESTION_STATUSES.includes(status as SuggestionStatus))
      throw new RouterError('invalid_request', `status must be one of ${SUGGESTION_STATUSES.join(', ')}`, 'status');
    const n = boundedLimit(limit, 100);
    return {
      suggestions: await read('suggestions', () =>
        this.suggestionsStore.list({
          status: (status as SuggestionStatus | undefined) ?? undefined,
          limit: n,
        }),
      ),
    };
  }

  @Get('v1/optimizer/suggestions/:suggestionId')
  async suggestion(
    @Headers('authorization') authorization: string | undefined,
    @Param('suggestionId') suggestionId: string,
  ): Promise<SuggestionEntity> {
    this.tenants.requireAdmin(authorization);
    const found = await read(`suggestion ${suggestionId}`, () => this.suggestionsStore.findById(suggestionId));
    if (!found) throw new RouterError('not_found', `no suggestion ${suggestionId}`);
    return found;
  }
}

const SUGGESTION_STATUSES: readonly SuggestionStatus[] = ['open', 'applied', 'superseded'];

/**
 * A read for an API caller, answered `unavailable` when MongoDB is down or silent: this service's connection
 * waits up to 30 minutes for a round trip (its jobs' scans), a caller no longer than the others' 2 minutes.
 */
function read<T>(what: string, run: () => Promise<T>): Promise<T> {
  return storeRead(what, run, DEFAULT_MONGO_SOCKET_TIMEOUT_MS);
}

/** A `limit` query parameter: a positive integer up to `max`, else the default. */
function boundedLimit(raw: string | undefined, fallback: number, max = 500): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0 || n > max)
    throw new RouterError('invalid_request', `limit must be an integer from 1 to ${max}`, 'limit');
  return n;
}
