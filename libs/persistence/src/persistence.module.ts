import {
  type DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import mongoose, { type Connection, type ConnectOptions } from 'mongoose';
import { FeedbackRepository } from './feedback/feedback.repository';
import { OptimizerReportRepository } from './optimizer-reports/optimizer-report.repository';
import { MONGO_CONNECTION, RECORD_WRITER_OPTIONS, ROLLUP_WRITER_OPTIONS } from './persistence.constants';
import { PolicyVersionRepository } from './policies/policy-version.repository';
import { RollupRepository, type RollupWriterOptions } from './rollups/rollup.repository';
import { LearningRunRepository } from './learning-runs/learning-run.repository';
import { RouterModelRepository } from './router-models/router-model.repository';
import { type RecordWriterOptions, RoutingRecordRepository } from './routing-records/routing-record.repository';
import { SuggestionRepository } from './suggestions/suggestion.repository';
import { TenantKeyRepository } from './tenant-keys/tenant-key.repository';

/** Readiness of MongoDB: a ping answered. */
@Injectable()
export class MongoHealthIndicator {
  readonly name = 'mongodb';
  constructor(@Inject(MONGO_CONNECTION) private readonly connection: Connection) {}
  async check(): Promise<void> {
    if (!this.connection.db) throw new Error('not connected');
    await this.connection.db.admin().ping();
  }
}

/**
 * Driver options for every MongoDB connection of the project. Polling server monitoring, not streaming:
 * FerretDB answers the driver's awaitable `hello` at once instead of holding it, which turns streaming
 * monitoring into a busy loop (measured: FerretDB at 190% CPU with one idle client, every operation 30-60x
 * slower). Polling costs real MongoDB nothing that matters: a heartbeat every 10 s.
 */
export const MONGO_CONNECT_OPTIONS: ConnectOptions = {
  serverMonitoringMode: 'poll',
  serverSelectionTimeoutMS: 10_000,
  // Writes that bypass mongoose's casting (bulk inserts, $max) must not store an unset field as null.
  ignoreUndefined: true,
};

/**
 * How long one send or receive on a MongoDB connection may wait, unless the URI sets `socketTimeoutMS`: a
 * server that hangs, or a network that drops packets without a reset, fails the operation after this long
 * instead of holding it (and whatever waits on it: a batch of records, a report) until the kernel's TCP
 * keepalive gives up, ten minutes or more later. Two minutes: above the longest single read the request
 * path and the CLI make (a month of hourly rollups at a million records, 21 s on FerretDB;
 * docs/benchmarks.md).
 */
export const DEFAULT_MONGO_SOCKET_TIMEOUT_MS = 120_000;

/**
 * The socket timeout of rule-optimizer's connection: its jobs scan the records (the canary check's arms,
 * the recount of closed hours, the retraining's labelled records, the prompt retention's one update), and
 * FerretDB answers a filter it cannot serve from an index by reading the whole collection in the round trip
 * of the first batch: 10,000 to 23,000 records a second here (4,000- and 800-character records;
 * tools/probes/ferretdb-scan.cjs), so two minutes is one to three million records. Thirty minutes bounds a
 * hung server all the same.
 */
export const SCAN_MONGO_SOCKET_TIMEOUT_MS = 30 * 60_000;

/**
 * The driver options for a connection to `uri`: MONGO_CONNECT_OPTIONS and a socket timeout, the URI's own
 * `socketTimeoutMS` when it has one (options given here would override the URI's), else `socketTimeoutMs`.
 */
export function mongoConnectOptions(uri: string, socketTimeoutMs = DEFAULT_MONGO_SOCKET_TIMEOUT_MS): ConnectOptions {
  if (!(Number.isInteger(socketTimeoutMs) && socketTimeoutMs > 0))
    throw new Error(`socketTimeoutMs must be a positive whole number of milliseconds, got ${socketTimeoutMs}`);
  return /[?&]sockettimeoutms=/i.test(uri)
    ? { ...MONGO_CONNECT_OPTIONS }
    : { ...MONGO_CONNECT_OPTIONS, socketTimeoutMS: socketTimeoutMs };
}

@Module({})
export class PersistenceModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PersistenceModule.name);

  constructor(
    @Inject(MONGO_CONNECTION) private readonly connection: Connection,
    private readonly records: RoutingRecordRepository,
    private readonly feedback: FeedbackRepository,
    private readonly reports: OptimizerReportRepository,
    private readonly policies: PolicyVersionRepository,
    private readonly tenantKeys: TenantKeyRepository,
    private readonly rollups: RollupRepository,
    private readonly suggestions: SuggestionRepository,
    private readonly routerModels: RouterModelRepository,
  ) {}

  /**
   * `rollups`: how the rollup writer batches, `records`: how record writes are grouped (services that write
   * them set these from their config); `socketTimeoutMs`: the connection's socket timeout when the URI sets
   * none (default DEFAULT_MONGO_SOCKET_TIMEOUT_MS).
   */
  static forRoot(
    uri: string,
    options: { rollups?: RollupWriterOptions; records?: RecordWriterOptions; socketTimeoutMs?: number } = {},
  ): DynamicModule {
    return {
      exports: [
        FeedbackRepository,
        MongoHealthIndicator,
        OptimizerReportRepository,
        PolicyVersionRepository,
        RollupRepository,
        LearningRunRepository,
        RouterModelRepository,
        RoutingRecordRepository,
        SuggestionRepository,
        TenantKeyRepository,
      ],
      global: true,
      module: PersistenceModule,
      providers: [
        FeedbackRepository,
        MongoHealthIndicator,
        OptimizerReportRepository,
        PolicyVersionRepository,
        RollupRepository,
        LearningRunRepository,
        RouterModelRepository,
        RoutingRecordRepository,
        SuggestionRepository,
        TenantKeyRepository,
        ...(options.rollups ? [{ provide: ROLLUP_WRITER_OPTIONS, useValue: options.rollups }] : []),
        ...(options.records ? [{ provide: RECORD_WRITER_OPTIONS, useValue: options.records }] : []),
        {
          provide: MONGO_CONNECTION,
          useFactory: async () =>
            mongoose
              .createConnection(uri, {
                ...mongoConnectOptions(uri, options.socketTimeoutMs),
                autoCreate: true,
                autoIndex: false,
              })
              .asPromise(),
        },
      ],
    };
  }

  async onModuleInit(): Promise<void> {
    await Promise.all([
      this.records.ensureIndexes(),
      this.feedback.ensureIndexes(),
      this.reports.ensureIndexes(),
      this.policies.ensureIndexes(),
      this.tenantKeys.ensureIndexes(),
      this.rollups.ensureIndexes(),
      this.suggestions.ensureIndexes(),
      this.routerModels.ensureIndexes(),
    ]);
    this.logger.log('MongoDB indexes are in place');
  }

  async onApplicationShutdown(): Promise<void> {
    // After the consumers have drained (beforeApplicationShutdown): their last rollup increments go out.
    await this.rollups.close();
    await this.connection.close();
  }
}
