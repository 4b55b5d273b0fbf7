import { Injectable, Logger } from '@nestjs/common';
import { OptimizerReportRepository, RoutingRecordRepository } from '@switchyard/persistence';
import { type ModelPerformanceReport, computeModelPerformance } from '@switchyard/routing';

export interface ComputeModelStatsCommand {
  /** Also the report id, so a retried job writes its report once. */
  jobId: string;
  days: number;
  now?: Date;
}

/** The seed's get_model_performance over the stored records, kept as an optimizer report. */
@Injectable()
export class ComputeModelStats {
  private readonly logger = new Logger(ComputeModelStats.name);

  constructor(
    private readonly records: RoutingRecordRepository,
    private readonly reports: OptimizerReportRepository,
  ) {}

  async execute(cmd: ComputeModelStatsCommand): Promise<ModelPerformanceReport> {
    const now = cmd.now ?? new Date();
    const since = new Date(now.getTime() - cmd.days * 24 * 3600 * 1000);
    const rows = await this.records.findCompletedSince(since);
    const body = computeModelPerformance(rows);
    await this.reports.save({ reportId: cmd.jobId, kind: 'model-stats', createdAt: now, windowDays: cmd.days, body });
    this.logger.log(
      `model-stats ${cmd.jobId}: ${body.totalRequests} records over ${cmd.days} days, $${body.totalCostUsd.toFixed(6)}`,
    );
    return body;
  }
}
