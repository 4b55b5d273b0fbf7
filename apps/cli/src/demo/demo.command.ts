import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import {
  type ChatReply,
  type ChatSuccess,
  EVENTS_STREAM,
  type RouterErrorBody,
  SUBJECTS,
  type StatsAnswer,
} from '@switchyard/contracts';
import { SERVICE_NAMES, ServiceStack, findWorkspaceRoot } from '@switchyard/launcher';
import { CHART_FILE, type OptimizerReportBody, staticReportPage } from '@switchyard/analytics';
import { MONGO_CONNECT_OPTIONS, type OptimizerReportEntity, TenantKeyRepository } from '@switchyard/persistence';
import { METRICS, parseExposition, sumOf } from '@switchyard/observability';
import { readPackageFile } from '@switchyard/runtime';
import { parsePolicy } from '@switchyard/routing';
import mongoose from 'mongoose';
import { bearerHeaders } from '../auth-headers';
import { traceIdOf, tracingLines } from './observability';
import { DEMO_PROMPTS } from './prompts';
import { type SentRequest, summarize } from './summarize';
import { formatReport } from '../report/format-report';
import { pct, table, usd } from './table';

export interface DemoOptions {
  requests: number;
  concurrency: number;
  natsUrl: string;
  redisUrl: string;
  /** Server part of the MongoDB URI; the demo uses its own database on it. */
  mongoServer: string;
}

const DEMO_DB = 'switchyard_demo';
const DEMO_DURABLE = 'switchyard-demo-records';
const out = (line = '') => process.stdout.write(`${line}\n`);

/**
 * The main job: start the six services, send a real mixed workload through the public NATS subject and the
 * OpenAI-compatible HTTP endpoint, give feedback, run the optimizer, print where the requests went and
 * what they cost, and stop everything cleanly.
 */
export async function runDemo(opts: DemoOptions): Promise<number> {
  const root = findWorkspaceRoot();
  // The default policy with exploration on (20% of requests try another model), so the rule review has
  // other models to compare each rule's with.
  const outDir = join(root, 'out', 'demo');
  mkdirSync(outDir, { recursive: true });
  const policyFile = join(outDir, 'policy.yaml');
  writeFileSync(
    policyFile,
    readFileSync(join(root, 'policies', 'default.yaml'), 'utf8').replace(/^version: (.*)$/m, 'version: $1+demo') +
      '\n# Added by the demo: a share of requests tries another model, for the rule review.\nexploration: { percent: 20 }\n',
  );
  const policy = parsePolicy(readFileSync(policyFile, 'utf8'));
  const nc = await connect({ servers: opts.natsUrl, name: 'switchyard-demo' });
  const mongoUri = `${opts.mongoServer}/${DEMO_DB}`;
  const db = await mongoose.createConnection(mongoUri, MONGO_CONNECT_OPTIONS).asPromise();
  // A clean slate: the demo's own database and durable consumer, so its report shows this run only.
  await db.dropDatabase();
  await deleteDurable(nc);
  // The demo tenant's key, created as `switchyard keys create --tenant demo` would (stored hashed).
  const tenantKeys = new TenantKeyRepository(db);
  await tenantKeys.ensureIndexes();
  const { key } = await tenantKeys.create('demo', 'demo run');

  const stack = new ServiceStack({
    ports: 'default',
    root,
    env: {
      NATS_URL: opts.natsUrl,
      REDIS_URL: opts.redisUrl,
      MONGODB_URI: mongoUri,
      POLICY_FILE: policyFile,
      DURABLE_NAME: DEMO_DURABLE,
      CONSUMER_START: 'new',
      OPTIMIZER_QUEUE: 'switchyard-demo-optimizer',
      // A few hundred requests spread over three rules and four bands: the review's sample sizes scaled down.
      REVIEW_MIN_SAMPLES: '10',
      REVIEW_MIN_ALTERNATIVE_SAMPLES: '5',
      LOG_LEVEL: 'warn',
    },
  });
  let exitCode = 0;
  /** What the demo ends with, after the services stopped: where the report is and what it suggests. */
  const closing: string[] = [];
  try {
    out(`Starting the six services (policy ${policy.version}, ${policy.models.size} models)...`);
    await stack.start((name, url) => out(`  ${name.padEnd(20)} ready at ${url}`));
    const ingress = stack.get('ingress').baseUrl;

    out(
      `\nSending ${opts.requests} requests (${opts.concurrency} at a time): NATS ${SUBJECTS.request} and POST ${ingress}/v1/chat/completions`,
    );
    const sent = await sendWorkload(nc, ingress, opts, key);
    const summary = summarize(sent, policy);

    const ok = sent.flatMap((s) => (s.reply.ok ? [s.reply] : []));
    // Simulated user feedback on every answer: stronger tiers rated a little higher.
    const tierRank = new Map([...policy.tiers.keys()].map((t, i) => [t, i]));
    const rated = ok;
    for (const [i, r] of rated.entries()) {
      const rank = tierRank.get(policy.models.get(r.model)?.tier ?? '') ?? 0;
      const rating = Math.min(5, 3 + Math.round(rank / 2) + (i % 2));
      await nc.request(SUBJECTS.feedback, JSON.stringify({ requestId: r.requestId, rating, success: rating >= 4 }), {
        timeout: 5000,
        headers: bearerHeaders(key),
      });
    }
    out(`Gave feedback on ${rated.length} answers (simulated ratings).`);

    const stored = await waitForRecords(db, ok.length);
    out(`Stored ${stored} routing records in MongoDB (${DEMO_DB}.routing_records), through JetStream.`);
    const labelled = await waitForLabels(nc, key, rated.length);
    out(`The rollups count ${labelled} labelled requests (stats over NATS, ${SUBJECTS.statsQuery}).`);

    printSummary(summary);
    await printObservability(stack, sent);

    const accepted = (
      await nc.request(SUBJECTS.optimizerRunRequested, JSON.stringify({ job: 'optimize', days: 1 }), {
        timeout: 5000,
      })
    ).json<{ ok: boolean; jobId: string }>();
    const report = await waitForReport(db, accepted.jobId);
    out(`\n== The optimizer's report\n${formatReport(report)}`);
    const html = join(outDir, 'report.html');
    writeFileSync(html, staticReportPage(report, readPackageFile('chart.js', CHART_FILE)));
    const suggestions = report.body.review.suggestions;
    closing.push(
      '',
      `The optimizer's report: ${html} (one file with its charts; open it in a browser, no internet needed).`,
      `Its data is in MongoDB ${DEMO_DB}: MONGODB_URI=${mongoUri} npx switchyard report (or suggestions);`,
      `a running rule-optimizer serves it at /report and /v1/optimizer/reports/latest with an admin key.`,
      suggestions.length === 0
        ? 'It suggests no change: every rule and band with enough feedback holds against the models seen on its traffic.'
        : `It suggests ${suggestions.length} change${suggestions.length === 1 ? '' : 's'} (apply one through the canary: switchyard policy apply-suggestion ID --policy ${policyFile}):`,
      ...suggestions.map((x, i) => `  ${report.reportId}.${i + 1}  ${x.summary}`),
    );

    if (summary.succeeded + Object.values(summary.errors).reduce((a, b) => a + b, 0) !== summary.sent) exitCode = 1;
  } catch (err) {
    process.stderr.write(`demo failed: ${(err as Error).message}\n`);
    exitCode = 1;
  } finally {
    out('\nStopping the services (SIGTERM, graceful drain)...');
    const codes = await stack.stop();
    const unclean = Object.entries(codes).filter(([, c]) => c !== 0);
    out(
      unclean.length === 0
        ? 'All six services exited cleanly.'
        : `Unclean exits: ${unclean.map(([n, c]) => `${n}=${c}`).join(', ')}`,
    );
    if (unclean.length > 0) exitCode = 1;
    for (const line of closing) out(line);
    await deleteDurable(nc);
    await nc.close();
    await db.close();
  }
  return exitCode;
}

/** Where this run can be watched: each service's metrics (with what they counted) and its traces. */
async function printObservability(stack: ServiceStack, sent: SentRequest[]): Promise<void> {
  out('\n== Watching it');
  for (const name of SERVICE_NAMES) {
    const url = `${stack.get(name).baseUrl}/metrics`;
    const text = await fetch(url, { signal: AbortSignal.timeout(5000) }).then(
      (r) => (r.ok ? r.text() : ''),
      () => '',
    );
    const families = text ? parseExposition(text) : new Map();
    const total = (metric: { name: string }) => sumOf(families, metric.name);
    const counted =
      name === 'ingress'
        ? `, ${total(METRICS.requests)} requests counted`
        : name === 'provider-adapters'
          ? `, ${usd(total(METRICS.cost))} of provider cost counted`
          : name === 'feedback-aggregator'
            ? `, ${total(METRICS.recordsStored)} completion and feedback events written`
            : '';
    out(`Metrics: ${url}${text ? counted : ' (did not answer)'}`);
  }
  out('  (Prometheus scrapes these; dashboard deploy/grafana/switchyard-dashboard.json, alerts deploy/k8s/monitoring)');
  for (const line of tracingLines(process.env, sent.find((s) => s.traceId)?.traceId)) out(line);
}

async function sendWorkload(
  nc: NatsConnection,
  ingress: string,
  opts: DemoOptions,
  key: string,
): Promise<SentRequest[]> {
  const jobs: Array<() => Promise<SentRequest>> = [];
  const run = Date.now().toString(36);
  for (let i = 0; i < opts.requests; i++) {
    const prompt = DEMO_PROMPTS[i % DEMO_PROMPTS.length];
    const requestId = `demo-${run}-${i}`;
    if (i % 5 < 3) {
      jobs.push(async () => {
        const msg = await nc.request(
          SUBJECTS.request,
          JSON.stringify({ requestId, tenant: 'demo', messages: [{ role: 'user', content: prompt }] }),
          { timeout: 30_000, headers: bearerHeaders(key) },
        );
        return { transport: 'nats', reply: msg.json<ChatReply>() };
      });
    } else {
      jobs.push(async () => {
        const res = await fetch(`${ingress}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-request-id': requestId, authorization: `Bearer ${key}` },
          body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: prompt }] }),
        });
        return {
          transport: 'http',
          reply: fromHttp((await res.json()) as HttpAnswer),
          traceId: traceIdOf(res.headers.get('traceparent')),
        };
      });
    }
  }
  // Two requests that are wrong on purpose, to show the error replies.
  jobs.push(async () => ({
    transport: 'nats',
    reply: (
      await nc.request(SUBJECTS.request, JSON.stringify({ messages: [] }), {
        timeout: 5000,
        headers: bearerHeaders(key),
      })
    ).json<ChatReply>(),
  }));
  jobs.push(async () => ({
    transport: 'nats',
    reply: (
      await nc.request(SUBJECTS.request, '{"messages": [', { timeout: 5000, headers: bearerHeaders(key) })
    ).json<ChatReply>(),
  }));

  const results: SentRequest[] = new Array(jobs.length);
  let next = 0;
  let done = 0;
  const started = Date.now();
  const worker = async () => {
    for (let i = next++; i < jobs.length; i = next++) {
      results[i] = await jobs[i]();
      done++;
      if (process.stdout.isTTY) process.stdout.write(`\r  ${done}/${jobs.length} answered`);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  out(
    `${process.stdout.isTTY ? '\r' : ''}  ${done}/${jobs.length} answered in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return results;
}

/** What ingress's OpenAI-compatible endpoint answers (the fields the demo reads). */
interface HttpAnswer {
  model: string;
  choices: Array<{ message: { content: string }; finish_reason: ChatSuccess['finishReason'] }>;
  usage: { prompt_tokens: number; completion_tokens: number };
  switchyard: Pick<
    ChatSuccess,
    'requestId' | 'tenant' | 'provider' | 'decision' | 'difficulty' | 'costUsd' | 'latency'
  > & { usageEstimated: boolean; error?: RouterErrorBody };
  error?: { message: string };
}

/** The OpenAI-shaped HTTP answer back into a ChatReply. */
function fromHttp(json: HttpAnswer): ChatReply {
  if (json.error)
    return { ok: false, error: json.switchyard?.error ?? { code: 'internal_error', message: json.error.message } };
  const s = json.switchyard;
  return {
    ok: true,
    requestId: s.requestId,
    tenant: s.tenant,
    model: json.model,
    provider: s.provider,
    answer: { role: 'assistant', content: json.choices[0].message.content },
    finishReason: json.choices[0].finish_reason,
    decision: s.decision,
    difficulty: s.difficulty,
    usage: {
      inputTokens: json.usage.prompt_tokens,
      outputTokens: json.usage.completion_tokens,
      estimated: s.usageEstimated,
    },
    costUsd: s.costUsd,
    latency: s.latency,
  };
}

async function waitForRecords(db: mongoose.Connection, expected: number): Promise<number> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const n = await db.collection('routing_records').countDocuments({ status: { $exists: true } });
    if (n >= expected || Date.now() > deadline) return n;
    await sleep(200);
  }
}

/** Waits until the rollups (what the optimizer reads) count every rating: a stats query as the tenant. */
async function waitForLabels(nc: NatsConnection, key: string, expected: number): Promise<number> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const answer = (
      await nc.request(SUBJECTS.statsQuery, JSON.stringify({ days: 1, groupBy: [] }), {
        timeout: 5000,
        headers: bearerHeaders(key),
      })
    ).json<StatsAnswer | { ok: false; error: RouterErrorBody }>();
    if (!answer.ok) throw new Error(`stats refused: ${answer.error.message}`);
    if (answer.total.qualityCount >= expected || Date.now() > deadline) return answer.total.qualityCount;
    await sleep(200);
  }
}

type StoredReport = OptimizerReportEntity & { body: OptimizerReportBody };

async function waitForReport(db: mongoose.Connection, jobId: string): Promise<StoredReport> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const doc = await db.collection('optimizer_reports').findOne({ reportId: new RegExp(`^${jobId}@`) });
    if (doc) return doc as unknown as StoredReport;
    if (Date.now() > deadline) throw new Error(`optimizer report for job ${jobId} did not appear within 30 s`);
    await sleep(200);
  }
}

async function deleteDurable(nc: NatsConnection): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.delete(EVENTS_STREAM.name, DEMO_DURABLE).catch(() => undefined);
}

function printSummary(s: ReturnType<typeof summarize>): void {
  out(
    `\n== Where the ${s.succeeded} answered requests went (${s.byTransport.nats} over NATS, ${s.byTransport.http} over HTTP)`,
  );
  out(
    table(
      ['model', 'tier', 'requests', 'share', 'avg difficulty', 'cost', 'avg latency'],
      s.byModel.map((m) => [
        m.model,
        m.tier,
        m.requests,
        pct(m.share),
        m.avgDifficulty.toFixed(3),
        usd(m.costUsd),
        `${m.avgLatencyMs.toFixed(1)} ms`,
      ]),
    ),
  );
  out(
    `\nDecided by: ${Object.entries(s.byMethod)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  out(
    `Rules: ${Object.entries(s.byRule)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  const saving = s.premiumBaselineUsd > 0 ? 1 - s.costUsd / s.premiumBaselineUsd : 0;
  out(
    `\nTotal cost ${usd(s.costUsd)} against ${usd(s.premiumBaselineUsd)} had every request gone to ${s.premiumModel} (same token counts): ${pct(saving)} saved.`,
  );
  out(
    `Errors: ${
      Object.keys(s.errors).length === 0
        ? 'none'
        : Object.entries(s.errors)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')
    } (two bad requests are sent on purpose).`,
  );
}
