import { Controller, Get, Headers, Query, UseFilters } from '@nestjs/common';
import {
  HEADERS,
  RouterError,
  SUBJECTS,
  type StatsAnswer,
  parsePayload,
  statsQuerySchema,
} from '@switchyard/contracts';
import { type IncomingMessage, OnSubject } from '@switchyard/messaging';
import { RouterErrorFilter } from '@switchyard/runtime';
import { QueryStats } from './query-stats.usecase';

/** Largest stats query accepted over NATS. */
const MAX_QUERY_BYTES = 4096;

/**
 * Stats over NATS request-reply (router.stats.query.v1, the key in the `Authorization` header) and HTTP
 * (`GET /v1/stats?groupBy=model,rule&days=7`, the key as `Authorization: Bearer`). Both answer the same
 * JSON; a refused query answers `{ ok: false, error }` (NATS) or the error with its HTTP status.
 */
@Controller()
@UseFilters(RouterErrorFilter)
export class StatsController {
  constructor(private readonly queryStats: QueryStats) {}

  @OnSubject(SUBJECTS.statsQuery)
  async onQuery(msg: IncomingMessage): Promise<StatsAnswer> {
    if (msg.size > MAX_QUERY_BYTES)
      throw new RouterError(
        'payload_too_large',
        `a stats query is at most ${MAX_QUERY_BYTES} bytes; this one is ${msg.size}`,
      );
    let payload: unknown;
    try {
      payload = msg.size === 0 ? {} : msg.json();
    } catch (err) {
      throw new RouterError('invalid_json', `the query is not JSON: ${(err as Error).message}`);
    }
    const query = parsePayload(statsQuerySchema, payload, SUBJECTS.statsQuery);
    return this.queryStats.execute({ query, authorization: msg.header(HEADERS.authorization) });
  }

  @Get('v1/stats')
  async get(
    @Headers('authorization') authorization: string | undefined,
    @Query() params: Record<string, unknown>,
  ): Promise<StatsAnswer> {
    const query = parsePayload(statsQuerySchema, fromQueryString(params), 'query');
    return this.queryStats.execute({ query, authorization });
  }
}

/** The query string as the NATS payload would be: groupBy split on commas, numbers and booleans typed. */
export function fromQueryString(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(params)) {
    // A parameter given twice arrives as an array: take it as given, and let the schema refuse it.
    if (typeof raw !== 'string') {
      out[key] = raw;
      continue;
    }
    if (key === 'groupBy') out[key] = raw === '' ? [] : raw.split(',').map((d) => d.trim());
    else if (key === 'days') out[key] = /^\d+$/.test(raw) ? Number(raw) : raw;
    else if (key === 'from' || key === 'to') out[key] = /^\d+$/.test(raw) ? Number(raw) : raw;
    else if (key === 'compare') out[key] = raw === 'true' ? true : raw === 'false' ? false : raw;
    else out[key] = raw;
  }
  return out;
}
