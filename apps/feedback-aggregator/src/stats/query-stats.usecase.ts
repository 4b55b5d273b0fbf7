import { Inject, Injectable } from '@nestjs/common';
import { answerStats } from '@switchyard/analytics';
import { RouterError, type StatsAnswer, type StatsQuery, statsWindows } from '@switchyard/contracts';
import { RollupRepository, dailyWindow, storeRead } from '@switchyard/persistence';
import { TenantAuthenticator } from '@switchyard/tenancy';

export const STATS_OPTIONS = Symbol('STATS_OPTIONS');

export interface StatsOptions {
  /** Days of hourly rollup rows kept (rule-optimizer deletes older ones): older windows must be whole days. */
  hourlyDays: number;
}

const DAY_MS = 24 * 3600 * 1000;

export interface QueryStatsCommand {
  query: StatsQuery;
  /** The caller's `Authorization`. */
  authorization: string | undefined;
  now?: number;
}

/**
 * Answers a stats query from the rollups: for the caller's own tenant, or for any or every tenant with an
 * admin key. A tenant's key asking for another tenant is refused, never answered with its own numbers.
 */
@Injectable()
export class QueryStats {
  constructor(
    private readonly rollups: RollupRepository,
    private readonly tenants: TenantAuthenticator,
    @Inject(STATS_OPTIONS) private readonly options: StatsOptions,
  ) {}

  async execute(cmd: QueryStatsCommand): Promise<StatsAnswer> {
    const { query } = cmd;
    const caller = this.tenants.identify(cmd.authorization);
    if (!caller.admin && query.tenant !== undefined && query.tenant !== caller.tenant)
      throw new RouterError(
        'unknown_tenant',
        `the key of tenant "${caller.tenant}" reads its own stats only, not "${query.tenant}" (that takes an admin key)`,
        'tenant',
      );
    const tenant = caller.admin ? (query.tenant ?? null) : caller.tenant;
    const now = cmd.now ?? Date.now();
    const { window, previous } = statsWindows(query, now);
    const throughNow = query.to === undefined;
    // Hours older than the hourly rows kept can only be read as whole days.
    const hourlyFrom = Math.floor(now / DAY_MS) * DAY_MS - this.options.hourlyDays * DAY_MS;
    const beyond = (w: { from: number; to: number }, end: boolean) =>
      !dailyWindow({ ...w, throughNow: end && throughNow }) && w.from < hourlyFrom;
    if (beyond(window, true) || (query.compare && beyond(previous, false)))
      throw new RouterError(
        'invalid_request',
        `hourly detail is kept ${this.options.hourlyDays} days (since ${new Date(hourlyFrom).toISOString()}); ` +
          `a window${beyond(window, true) ? '' : "'s comparison window"} reaching further back must start and end at UTC midnights` +
          `${beyond(window, true) ? '' : ' (or give compare: false)'}, or use "days"`,
        'from',
      );
    // The repository leaves a dimension it is given no value for unfiltered.
    const filter = {
      tenant: tenant ?? undefined,
      model: query.model,
      rule: query.rule,
      method: query.method,
      arm: query.arm,
    };
    const [rows, before] = await storeRead('the stats rollups', () =>
      Promise.all([
        this.rollups.find({ ...window, ...filter, throughNow }),
        query.compare ? this.rollups.find({ ...previous, ...filter }) : undefined,
      ]),
    );
    return answerStats({
      query,
      window,
      rows,
      tenant,
      ...(before ? { previous: { window: previous, rows: before } } : {}),
    });
  }
}
