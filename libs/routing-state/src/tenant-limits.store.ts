import type { Redis } from 'ioredis';
import { utcDay } from './routing-state.store';

/** A tenant's per-minute limits; either may be left out. */
export interface RateLimits {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}

export type RateVerdict = { ok: true } | { ok: false; limit: 'requests' | 'tokens'; retryAfterSeconds: number };

export type HoldVerdict = { ok: true } | { ok: false; spentUsd: number; heldUsd: number };

const DAY_SECONDS = 24 * 3600;

/**
 * The id of a request's budget hold: one per attempt (a retried request id is a new attempt with its own
 * receivedAt), the same in decision-engine, which holds, and provider-adapters, which settles.
 */
export function budgetHoldId(tenant: string, requestId: string, receivedAt: number): string {
  return `${tenant}:${requestId}@${receivedAt}`;
}

// Sliding-window rate limit from two fixed one-minute windows (the previous one weighted by how much of it
// still overlaps the last 60 s): one atomic script, so any number of replicas together stay within the limit.
// KEYS: requests this minute, requests last minute, tokens this minute, tokens last minute.
// ARGV: request limit (-1: none), token limit (-1: none), this request's tokens, weight of last minute, key ttl.
const TAKE_RATE = `
local function seen(cur, prev, w)
  return tonumber(redis.call('GET', cur) or '0') + tonumber(redis.call('GET', prev) or '0') * w
end
local w = tonumber(ARGV[4])
if tonumber(ARGV[1]) >= 0 and seen(KEYS[1], KEYS[2], w) + 1 > tonumber(ARGV[1]) then return 1 end
if tonumber(ARGV[2]) >= 0 and seen(KEYS[3], KEYS[4], w) + tonumber(ARGV[3]) > tonumber(ARGV[2]) then return 2 end
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('INCRBY', KEYS[3], ARGV[3])
redis.call('EXPIRE', KEYS[3], ARGV[5])
return 0
`;

// A budget hold: the most a request may cost, set aside before the provider is called, so concurrent
// requests cannot all pass a check made before any of them is charged. Expired holds (their request never
// settled: a replica died) are given back first. Returns {granted, spent, held} as strings (floats).
// KEYS: spent today, held now, hold amounts (hash), hold expiry (sorted set).
// ARGV: budget, amount, hold id, now ms, hold expires at ms, key ttl seconds.
const HOLD = `
local expired = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', ARGV[4], 'LIMIT', 0, 100)
for _, id in ipairs(expired) do
  local amt = redis.call('HGET', KEYS[3], id)
  if amt then
    redis.call('INCRBYFLOAT', KEYS[2], -tonumber(amt))
    redis.call('HDEL', KEYS[3], id)
  end
  redis.call('ZREM', KEYS[4], id)
end
local spent = tonumber(redis.call('GET', KEYS[1]) or '0')
local held = math.max(0, tonumber(redis.call('GET', KEYS[2]) or '0'))
if redis.call('HEXISTS', KEYS[3], ARGV[3]) == 1 then return {1, tostring(spent), tostring(held)} end
if spent + held + tonumber(ARGV[2]) > tonumber(ARGV[1]) then return {0, tostring(spent), tostring(held)} end
redis.call('HSET', KEYS[3], ARGV[3], ARGV[2])
redis.call('ZADD', KEYS[4], ARGV[5], ARGV[3])
redis.call('INCRBYFLOAT', KEYS[2], ARGV[2])
for i = 2, 4 do redis.call('EXPIRE', KEYS[i], ARGV[6]) end
return {1, tostring(spent), tostring(held)}
`;

// Settles a request: gives its hold back (once, whatever the number of calls) and charges what it cost.
// KEYS as for HOLD. ARGV: hold id, cost, key ttl seconds.
const SETTLE = `
local amt = redis.call('HGET', KEYS[3], ARGV[1])
if amt then
  redis.call('INCRBYFLOAT', KEYS[2], -tonumber(amt))
  redis.call('HDEL', KEYS[3], ARGV[1])
  redis.call('ZREM', KEYS[4], ARGV[1])
end
if tonumber(ARGV[2]) > 0 then
  redis.call('INCRBYFLOAT', KEYS[1], ARGV[2])
  redis.call('EXPIRE', KEYS[1], ARGV[3])
end
if amt then return 1 end
return 0
`;

type Scripts = Redis & {
  syTakeRate(k1: string, k2: string, k3: string, k4: string, ...argv: Array<string | number>): Promise<number>;
  syHold(k1: string, k2: string, k3: string, k4: string, ...argv: Array<string | number>): Promise<string[]>;
  sySettle(k1: string, k2: string, k3: string, k4: string, ...argv: Array<string | number>): Promise<number>;
};

/**
 * Per-tenant limits shared by every replica, in Redis: requests and tokens per minute, and the daily budget
 * in dollars, held before a call and settled after it. Keys carry the tenant in {braces} (one Redis Cluster
 * slot per tenant) and expire on their own.
 */
export class TenantLimitsStore {
  private readonly redis: Scripts;

  constructor(
    redis: Redis,
    private readonly prefix = 'sy',
    private readonly clock: () => Date = () => new Date(),
  ) {
    redis.defineCommand('syTakeRate', { lua: TAKE_RATE, numberOfKeys: 4 });
    redis.defineCommand('syHold', { lua: HOLD, numberOfKeys: 4 });
    redis.defineCommand('sySettle', { lua: SETTLE, numberOfKeys: 4 });
    this.redis = redis as Scripts;
  }

  /** Counts one request of `tokens` against the tenant's per-minute limits, or says which it would break. */
  async takeRate(tenant: string, limits: RateLimits, tokens: number): Promise<RateVerdict> {
    const nowMs = this.clock().getTime();
    const minute = Math.floor(nowMs / 60_000);
    const intoMinute = (nowMs % 60_000) / 60_000;
    const key = (what: string, m: number) => `${this.prefix}:rate:{${tenant}}:${what}:${m}`;
    const result = await this.redis.syTakeRate(
      key('req', minute),
      key('req', minute - 1),
      key('tok', minute),
      key('tok', minute - 1),
      limits.requestsPerMinute ?? -1,
      limits.tokensPerMinute ?? -1,
      Math.max(0, Math.ceil(tokens)),
      1 - intoMinute,
      180,
    );
    if (result === 0) return { ok: true };
    // The previous minute's share keeps falling; by the end of this minute it is gone.
    return {
      ok: false,
      limit: result === 1 ? 'requests' : 'tokens',
      retryAfterSeconds: Math.max(1, Math.ceil(60 * (1 - intoMinute))),
    };
  }

  /** Sets `amountUsd` aside from the tenant's budget for the day of `at`, unless it would go over it. */
  async hold(
    tenant: string,
    holdId: string,
    amountUsd: number,
    budgetUsd: number,
    ttlMs: number,
    at = this.clock(),
  ): Promise<HoldVerdict> {
    const nowMs = this.clock().getTime();
    const [granted, spent, held] = await this.redis.syHold(
      ...this.budgetKeys(tenant, utcDay(at)),
      budgetUsd,
      amountUsd,
      holdId,
      nowMs,
      nowMs + ttlMs,
      2 * DAY_SECONDS,
    );
    return Number(granted) === 1 ? { ok: true } : { ok: false, spentUsd: Number(spent), heldUsd: Number(held) };
  }

  /** Gives back the hold made on the day of `at` (if any is left) and charges `costUsd` to that day. */
  async settle(tenant: string, holdId: string, costUsd: number, at = this.clock()): Promise<void> {
    await this.redis.sySettle(...this.budgetKeys(tenant, utcDay(at)), holdId, costUsd, 2 * DAY_SECONDS);
  }

  /** What the tenant spent on the day of `at`, and what is held for requests in flight. */
  async budgetToday(tenant: string, at = this.clock()): Promise<{ spentUsd: number; heldUsd: number }> {
    const [spend, held] = this.budgetKeys(tenant, utcDay(at));
    const [s, h] = await this.redis.mget(spend, held);
    return { spentUsd: Number(s ?? 0), heldUsd: Math.max(0, Number(h ?? 0)) };
  }

  private budgetKeys(tenant: string, day: string): [string, string, string, string] {
    const base = `${this.prefix}:budget:{${tenant}}:${day}`;
    // The spend key keeps the name tenant spend always had (RoutingStateStore.spendKey).
    return [`${this.prefix}:spend:{${tenant}}:${day}`, `${base}:held`, `${base}:holds`, `${base}:expiry`];
  }
}
