import type { Redis } from 'ioredis';

/** Outcome of asking for one call to a model. */
export type Reservation = 'granted' | 'exhausted' | 'cooling';

// One script per reservation, so the check and the count are one atomic step on the Redis server: any
// number of decision-engine replicas together grant at most the limit. KEYS[1] is the model's counter for
// the day, KEYS[2] its cooldown flag; both carry the model in {braces}, so Redis Cluster keeps them on one
// slot. ARGV: limit (-1: unlimited), ttl seconds of the counter.
const RESERVE = `
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
local limit = tonumber(ARGV[1])
if limit < 0 then return 1 end
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
if n > limit then
  redis.call('DECR', KEYS[1])
  return 0
end
return 1
`;

const DAY_SECONDS = 24 * 3600;

/** The UTC day a counter belongs to, as YYYYMMDD. */
export function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10).replace(/-/g, '');
}

/** Seconds from `now` until the next UTC midnight, when daily quotas reset. */
export function secondsUntilUtcMidnight(now: Date): number {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.ceil((next - now.getTime()) / 1000);
}

/**
 * Live routing state shared by every replica, in Redis: per-model daily request quotas and per-model
 * cooldowns after provider failures (tenant limits: TenantLimitsStore). Keys expire on their own.
 */
export class RoutingStateStore {
  /** Per model without a quota: until when (ms since the epoch) it was last seen not cooling down. */
  private readonly clearUntil = new Map<string, number>();

  /**
   * `clearForMs`: how long a model without a quota, once seen not cooling down, is granted without asking
   * Redis again (0: ask every time). A cooldown another replica or provider-adapters starts is then seen
   * up to that late; this replica's own `startCooldown` is seen at once.
   */
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'sy',
    private readonly clock: () => Date = () => new Date(),
    private readonly clearForMs = 0,
  ) {
    redis.defineCommand('syReserve', { lua: RESERVE, numberOfKeys: 2 });
  }

  quotaKey(model: string, day = utcDay(this.clock())): string {
    return `${this.prefix}:quota:{${model}}:${day}`;
  }

  cooldownKey(model: string): string {
    return `${this.prefix}:cooldown:{${model}}`;
  }

  /** Takes one call from the model's daily quota (undefined limit: no quota), unless it is cooling down. */
  async reserve(model: string, dailyLimit: number | undefined): Promise<Reservation> {
    const cached = dailyLimit === undefined && this.clearForMs > 0;
    if (cached && (this.clearUntil.get(model) ?? 0) > this.clock().getTime()) return 'granted';
    const result = (await (
      this.redis as Redis & { syReserve(k1: string, k2: string, limit: number, ttl: number): Promise<number> }
    ).syReserve(this.quotaKey(model), this.cooldownKey(model), dailyLimit ?? -1, 2 * DAY_SECONDS)) as number;
    if (cached) {
      if (result === 1) this.clearUntil.set(model, this.clock().getTime() + this.clearForMs);
      else this.clearUntil.delete(model);
    }
    return result === 1 ? 'granted' : result === 0 ? 'exhausted' : 'cooling';
  }

  /**
   * Gives back a reservation that was not used (the call never happened). A model without a quota was
   * never counted, so there is nothing to give back (a decrement would let it go past a quota added later).
   */
  async release(model: string, dailyLimit: number | undefined): Promise<void> {
    if (dailyLimit === undefined) return;
    await this.redis.decr(this.quotaKey(model));
  }

  /** Calls granted to the model today. */
  async used(model: string): Promise<number> {
    return Number((await this.redis.get(this.quotaKey(model))) ?? 0);
  }

  /** Marks a model as cooling down: decision-engine skips it until the time is over. */
  async startCooldown(model: string, ms: number): Promise<void> {
    this.clearUntil.delete(model);
    await this.redis.set(this.cooldownKey(model), '1', 'PX', ms);
  }
}

/**
 * Whether an error says Redis cannot be reached (as opposed to a bug): only these let a policy's
 * onStoreDown decide; anything else is an internal error, never a silent fail-open.
 */
export function isStoreUnreachable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  return /Connection is closed|enableOfflineQueue|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|connect ETIMEDOUT|Stream isn't writeable|LOADING|READONLY/.test(
    err.message,
  );
}
