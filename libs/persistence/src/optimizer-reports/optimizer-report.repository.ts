import { Inject, Injectable } from '@nestjs/common';
import type { Connection, Model } from 'mongoose';
import { MONGO_CONNECTION } from '../persistence.constants';
import type { OptimizerReportEntity } from './optimizer-report.entity';
import { OPTIMIZER_REPORTS_COLLECTION, optimizerReportSchema } from './optimizer-report.schema';

@Injectable()
export class OptimizerReportRepository {
  private readonly model: Model<OptimizerReportEntity>;

  constructor(@Inject(MONGO_CONNECTION) connection: Connection) {
    this.model = connection.model<OptimizerReportEntity>(OPTIMIZER_REPORTS_COLLECTION, optimizerReportSchema);
  }

  async ensureIndexes(): Promise<void> {
    await this.model.createIndexes();
  }

  async save(report: OptimizerReportEntity): Promise<void> {
    await this.model.updateOne(
      { _id: report.reportId },
      { $setOnInsert: { ...report, _id: report.reportId } },
      { upsert: true },
    );
  }

  async latest(kind: string): Promise<OptimizerReportEntity | null> {
    return this.model.findOne({ kind }, { _id: 0 }).sort({ createdAt: -1 }).lean<OptimizerReportEntity>().exec();
  }

  /** The newest reports of a kind, without their bodies. */
  async list(kind: string, limit = 20): Promise<Array<Omit<OptimizerReportEntity, 'body'>>> {
    return this.model
      .find({ kind }, { _id: 0, body: 0 })
      .sort({ createdAt: -1 })
      .limit(Math.min(limit, 500))
      .lean<Array<Omit<OptimizerReportEntity, 'body'>>>()
      .exec();
  }

  async findByReportId(reportId: string): Promise<OptimizerReportEntity | null> {
    return this.model.findOne({ _id: reportId }, { _id: 0 }).lean<OptimizerReportEntity>().exec();
  }
}
