import { Injectable } from '@nestjs/common';
import { answerStats } from '@switchyard/analytics';
import { RouterError, type StatsAnswer, type StatsQuery, statsWindows } from '@switchyard/contracts';
import { RollupRepository } from '@switchyard/persistence';
import { TenantAuthenticator } from '@switchyard/tenancy';

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
    const { window, previous } = statsWindows(query, cmd.now);
    const filter = {
      ...(tenant === null ? {} : { tenant }),
      ...(query.model === undefined ? {} : { model: query.model }),
      ...(query.rule === undefined ? {} : { rule: query.rule }),
      ...(query.method === undefined ? {} : { method: query.method }),
      ...(query.arm === undefined ? {} : { arm: query.arm }),
    };
    const [rows, before] = await Promise.all([
      this.rollups.find({ ...window, ...filter, throughNow: query.to === undefined }),
      query.compare ? this.rollups.find({ ...previous, ...filter }) : undefined,
    ]);
    return answerStats({
      query,
      window,
      rows,
      tenant,
      ...(before ? { previous: { window: previous, rows: before } } : {}),
    });
  }
}
