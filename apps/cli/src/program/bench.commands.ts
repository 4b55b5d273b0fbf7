import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { runBenchDecision } from '../bench/bench-decision.command';
import type { BenchOutcome } from '../bench/bench-outcome';
import { runBenchPipeline } from '../bench/bench-pipeline.command';
import { runBenchRetrain } from '../bench/bench-retrain.command';
import { runBenchStats } from '../bench/bench-stats.command';
import { runBenchGateway } from '../bench/gateway/gateway.command';
import { PORTKEY_DEFAULT_VERSION } from '../bench/gateway/portkey';
import { runUpstreamServer } from '../bench/gateway/upstream-server';
import { runEchoServer } from '../bench/overhead/echo-server';
import { runBenchOverhead } from '../bench/overhead/overhead.command';
import { runBenchSoak } from '../bench/soak/soak.command';
import type { CliContext } from './cli-context';
import { printCommandResult, printResultFile } from './json-output';
import {
  intIn,
  nonNegativeInt,
  nonNegativeNumber,
  numberIn,
  positiveInt,
  positiveIntList,
  positiveNumber,
} from './option-parsers';

const JSON_REPORT =
  "print one JSON document (the outcome and the benchmark's numbers) instead of the report; the report on stderr";

/** Runs a benchmark, its report as text, or with --json its numbers as one document with the report on stderr. */
async function report(
  ctx: CliContext,
  json: boolean | undefined,
  name: string,
  run: () => Promise<BenchOutcome<unknown>>,
): Promise<void> {
  ctx.exitCode = json ? await printCommandResult(ctx, `bench ${name}`, run) : (await run()).exitCode;
}

/** bench decision | pipeline | retrain | stats | overhead | soak | gateway, and the servers they start. */
export function declareBenchCommands(program: Command, ctx: CliContext): void {
  const bench = program
    .command('bench')
    .description('benchmarks: latency, throughput and what the system of record holds');

  bench
    .command('decision')
    .description('in-process decision latency (features + rules + difficulty + learned) on real prompts')
    .requiredOption('--dataset <file>', 'JSONL outcomes file, .gz too')
    .option('--prompts <n>', 'prompts to time', positiveInt, 10000)
    .option('--model <file>', 'a trained artifact (default: train one on the 70% split first)')
    .option('--json', JSON_REPORT)
    .action((flags: { dataset: string; prompts: number; model?: string; json?: boolean }) =>
      report(ctx, flags.json, 'decision', () =>
        runBenchDecision({ dataset: flags.dataset, prompts: flags.prompts, model: flags.model }),
      ),
    );

  bench
    .command('pipeline')
    .summary('serial latency through the running services next to a NATS echo')
    .description(
      'serial latency through the running services next to a NATS echo (scripts/services.sh start first; a tenant key in SWITCHYARD_API_KEY)',
    )
    .option('--requests <n>', 'requests to time', positiveInt, 1000)
    .option('--json', JSON_REPORT)
    .action((flags: { requests: number; json?: boolean }) =>
      report(ctx, flags.json, 'pipeline', () =>
        runBenchPipeline({ natsUrl: ctx.natsUrl, apiKey: ctx.apiKey, requests: flags.requests }),
      ),
    );

  bench
    .command('retrain')
    .summary('the nightly retraining at scale, its steps timed')
    .description(
      "the nightly retraining at scale: N labelled routing records stored as the services would (a dataset's prompts, its cold policy with 5% exploration), then the job's steps timed: reading them, training, the off-policy comparison, storing the router",
    )
    .option('--records <n>', 'records to store', positiveInt, 50000)
    .option('--dataset <file>', 'JSONL outcomes file, .gz too', 'datasets/sample/mmlu-pro-3000.jsonl.gz')
    .option('--dims-log2 <n>', 'hashed feature dimensions, log2 (as RETRAIN_DIMS)', intIn(10, 22), 18)
    .option('--json', JSON_REPORT)
    .action((flags: { records: number; dataset: string; dimsLog2: number; json?: boolean }) =>
      report(ctx, flags.json, 'retrain', () =>
        runBenchRetrain({
          dataset: flags.dataset,
          mongoServer: ctx.mongoServer,
          records: flags.records,
          dims: 1 << flags.dimsLog2,
        }),
      ),
    );

  bench
    .command('stats')
    .summary('stats from the rollups against the same query over the records')
    .description(
      'what the rollups buy: N synthetic records over D days in a database of its own, then the same stats query answered from the rollups and from the records, alternately, checked equal',
    )
    .option(
      '--records <n>',
      'records to write (about 3 minutes of writing on FerretDB for the default)',
      positiveInt,
      1000000,
    )
    .option('--days <n>', 'spread over, and queried', positiveInt, 30)
    .option('--rounds <n>', 'timed rounds of each', positiveInt, 5)
    .option('--keep', 'keep the database, and reuse it next time with the same --records')
    .option('--json', JSON_REPORT)
    .action((flags: { records: number; days: number; rounds: number; keep?: boolean; json?: boolean }) =>
      report(ctx, flags.json, 'stats', () =>
        runBenchStats({
          mongoServer: ctx.mongoServer,
          records: flags.records,
          days: flags.days,
          rounds: flags.rounds,
          keep: flags.keep === true,
        }),
      ),
    );

  bench
    .command('overhead')
    .summary('what routing adds: fixed rates and saturation, next to a raw NATS echo')
    .description(
      'start the six services (instant simulated provider, private nats-server), offer fixed request rates open-loop on the public subject, then find the highest rate sustained with nothing lost; a raw NATS echo in another process is measured the same way in the same run',
    )
    .option('--rates <list>', 'offered rates per second, comma-separated', positiveIntList, [100, 250, 500, 1000])
    .option('--seconds <n>', 'seconds per fixed rate', positiveInt, 5)
    .option('--step-seconds <n>', 'seconds per saturation step; 0 skips the search', nonNegativeInt, 3)
    .option('--timeout-ms <n>', 'a request with no good reply within this is lost', positiveInt, 2000)
    .option('--max-p99-ms <n>', 'a step with a higher p99 is not sustained', positiveInt, 100)
    .option('--json', JSON_REPORT)
    .action(
      (flags: {
        rates: number[];
        seconds: number;
        stepSeconds: number;
        timeoutMs: number;
        maxP99Ms: number;
        json?: boolean;
      }) =>
        report(ctx, flags.json, 'overhead', () =>
          runBenchOverhead({
            rates: flags.rates,
            seconds: flags.seconds,
            stepSeconds: flags.stepSeconds,
            timeoutMs: flags.timeoutMs,
            maxP99Ms: flags.maxP99Ms,
            natsUrl: ctx.natsUrl,
            redisUrl: ctx.redisUrl,
            mongoServer: ctx.mongoServer,
          }),
        ),
    );

  bench
    .command('soak')
    .summary('the system of record under sustained load: one record per answer')
    .description(
      'the system of record under sustained load: the six services (instant simulated provider, private nats-server) take a fixed rate of requests with ids and feedback on a share of the answers; then every answered request must have exactly one record and every rating its record',
    )
    .option('--minutes <n>', 'how long (fractions too)', positiveNumber, 10)
    .option('--rate <n>', 'requests per second, open loop', positiveInt, 200)
    .option('--feedback <share>', 'share of answers rated, 0..1', numberIn(0, 1), 0.2)
    .option('--timeout-ms <n>', 'a request with no reply within this is lost', positiveInt, 10000)
    .option('--json', JSON_REPORT)
    .action((flags: { minutes: number; rate: number; feedback: number; timeoutMs: number; json?: boolean }) =>
      report(ctx, flags.json, 'soak', () =>
        runBenchSoak({
          minutes: flags.minutes,
          rate: flags.rate,
          feedbackShare: flags.feedback,
          timeoutMs: flags.timeoutMs,
          natsUrl: ctx.natsUrl,
          redisUrl: ctx.redisUrl,
          mongoServer: ctx.mongoServer,
        }),
      ),
    );

  bench
    .command('gateway')
    .summary("side by side with Portkey's gateway and a direct call")
    .description(
      "an instant OpenAI-compatible upstream called directly, through Portkey's open-source gateway (installed on demand in a temp folder) and through the six services (HTTP door, seed rules and bands, every model on that upstream), side by side: serial latency, closed-loop throughput, the latency each gateway adds and CPU per request of every process",
    )
    .option('--seconds <n>', 'measured seconds per closed-loop step', positiveNumber, 5)
    .option('--warmup-seconds <n>', 'load before each step, not counted', nonNegativeNumber, 2)
    .option(
      '--connections <list>',
      'keep-alive connections per closed-loop step, comma-separated',
      positiveIntList,
      [16, 64],
    )
    .option('--serial-requests <n>', 'requests timed one at a time', positiveInt, 2000)
    .option('--portkey-version <v>', 'the Portkey gateway version installed', PORTKEY_DEFAULT_VERSION)
    .option('--skip-portkey', 'without the Portkey row')
    .option('--skip-six', 'without the six-process row (the co-located one only)')
    .option(
      '--cpu-prof <dir>',
      'a V8 CPU profile of each Switchyard process, written to DIR/<six|colocated> when it stops (summarise with node tools/probes/cpu-profile-summary.cjs DIR)',
    )
    .option(
      '--tracing',
      'also the six processes with tracing on (every span exported over OTLP/HTTP to a local sink), side by side',
    )
    .option(
      '--json [file]',
      'the raw numbers: written to FILE (the report stays on stdout), or without FILE printed as JSON instead of the report',
    )
    .action(
      async (flags: {
        seconds: number;
        warmupSeconds: number;
        connections: number[];
        serialRequests: number;
        portkeyVersion: string;
        skipPortkey?: boolean;
        skipSix?: boolean;
        cpuProf?: string;
        tracing?: boolean;
        json?: string | true;
      }) => {
        const run = (json: string | undefined) =>
          runBenchGateway({
            seconds: flags.seconds,
            warmupSeconds: flags.warmupSeconds,
            connections: flags.connections,
            serialRequests: flags.serialRequests,
            portkeyVersion: flags.portkeyVersion,
            skipPortkey: flags.skipPortkey === true,
            skipSix: flags.skipSix === true,
            cpuProfileDir: flags.cpuProf,
            tracing: flags.tracing === true,
            json,
            natsUrl: ctx.natsUrl,
            redisUrl: ctx.redisUrl,
            mongoServer: ctx.mongoServer,
          });
        if (flags.json !== true) {
          ctx.exitCode = await run(flags.json);
          return;
        }
        const dir = mkdtempSync(join(tmpdir(), 'switchyard-gateway-'));
        try {
          const file = join(dir, 'gateway.json');
          ctx.exitCode = await printResultFile(ctx, file, () => run(file));
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );

  bench
    .command('upstream')
    .description('answer every POST /v1/chat/completions at once with a fixed completion (what bench gateway runs)')
    .option('--port <n>', 'the port; 0 for a free one, printed', nonNegativeInt, 0)
    .action(async (flags: { port: number }) => {
      ctx.exitCode = await runUpstreamServer({ port: flags.port });
    });

  bench
    .command('echo')
    .description('answer NATS request-reply on a subject with the request (the floor bench overhead runs)')
    .requiredOption('--subject <s>', 'the subject')
    .action(async (flags: { subject: string }) => {
      ctx.exitCode = await runEchoServer({ natsUrl: ctx.natsUrl, subject: flags.subject });
    });
}
