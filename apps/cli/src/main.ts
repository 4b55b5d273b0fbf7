import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { runBenchDecision } from './bench/bench-decision.command';
import { runBenchPipeline } from './bench/bench-pipeline.command';
import { runBenchRetrain } from './bench/bench-retrain.command';
import { runBenchStats } from './bench/bench-stats.command';
import { runBenchGateway } from './bench/gateway/gateway.command';
import { PORTKEY_DEFAULT_VERSION } from './bench/gateway/portkey';
import { runUpstreamServer } from './bench/gateway/upstream-server';
import { runEchoServer } from './bench/overhead/echo-server';
import { runBenchOverhead } from './bench/overhead/overhead.command';
import { runBenchSoak } from './bench/soak/soak.command';
import { runDemo } from './demo/demo.command';
import { runDeadLetters } from './dlq/dead-letters.command';
import { runEvalLive } from './eval/eval-live.command';
import { runEval } from './eval/eval.command';
import { runApplySuggestion } from './policy/apply-suggestion.command';
import { runPublishPolicy } from './policy/publish-policy.command';
import { runReport, runSuggestions } from './report/report.command';
import { runStats } from './report/stats.command';
import { runSimulate } from './simulate/simulate.command';
import { runTrain } from './train/train.command';
import { runTenantKeys } from './keys/tenant-keys.command';
import { runServe } from './serve/serve.command';
import { policyTrustEnvSchema, policyTrustOf } from '@switchyard/policy-store';
import { natsConnectionOptions } from '@switchyard/messaging';
import { loadConfig, natsAuthEnvSchema } from '@switchyard/runtime';

const USAGE = `usage: switchyard <command> [options]

commands:
  serve   run services in this one process (co-located mode): hops between them are function calls, not NATS
          round trips; the public subject, JetStream records and queue groups work as with separate processes
          --services S     all (default), or a list: ingress,analyzer,decision-engine,provider-adapters,
                           feedback-aggregator,rule-optimizer; each reads the usual environment, and its HTTP
                           port from HTTP_PORT_<SERVICE> (HTTP_PORT_DECISION_ENGINE=...) or its default

  demo    start the six services, send a mixed workload over NATS and HTTP, print where it went and what it cost
          --requests N     requests to send (default 400)
          --concurrency N  requests in flight at once (default 16)

  train   train the learned router on a dataset (format: docs/datasets.md) and check it on held-out prompts
          --dataset FILE   JSONL outcomes file (required)
          --split S        share used for training (default 0.7)
          --seed N         split and training seed (default 0)
          --out FILE       where to write the artifact (default models/<dataset>.json)
          --epochs N, --learning-rate X   fixed passes and AdaGrad step; by default both are tuned on a
                           validation cut of the train part (the routing curve's APGR, early stopping)
          --l2 X           L2 penalty (default 0)
          --task-hint      learn from the rows' task label too; requests then send theirs as hints.task
          --publish        also store it in the model store (MONGODB_URI); a policy names it with
                           learned: { model: VERSION } and every decision-engine replica loads it, no file

  bench decision   in-process decision latency (features + rules + difficulty + learned) on real prompts
          --dataset FILE   JSONL outcomes file (required)
          --prompts N      prompts to time (default 10000)
          --model FILE     a trained artifact (default: train one on the 70% split first)

  policy publish FILE   validate a policy, keep it in MongoDB and hot-reload it into every replica
  policy apply-suggestion ID   publish a suggestion of the rule review as a canary: the current policy
                   (control) with the changed one as candidate on a share of traffic; both are written to --out
          --percent P      the candidate's share of traffic, 1-50 (default 10)
          --sticky-by S    tenant | user: what keeps a caller in one arm (default tenant)
          --policy FILE    the policy to change, when the one of the evidence is not stored in MongoDB
          --out DIR        where the two policies are written (default out/policies)

  report           the optimizer's newest report: spend by model and tenant, quality, the rule review and its
                   suggestions with their evidence (also GET /v1/optimizer/reports/latest and the page /report of
                   rule-optimizer, with an admin key)
          --run            ask rule-optimizer for a run now (over NATS, as the operator) and wait for its report
          --days N         --run: the window (default: the service's OPTIMIZER_WINDOW_DAYS)
          --id ID          a report by id instead of the newest
          --html FILE      also write the report as one HTML file with its charts (works offline)
          --json           the report as JSON

  suggestions      the rule review's suggestions, newest first, with their evidence
          --status S       open | applied | superseded | all (default open)
          --limit N        at most N (default 50)
          --json           as JSON

  stats            stats from the rollups over NATS (router.stats.query.v1) with the key in SWITCHYARD_API_KEY:
                   a tenant's key reads its own tenant, an admin key any (--tenant) or all
          --group-by LIST  of model, rule, method, tenant, arm, day (default model)
          --days N         the last N days (default 7), or --from/--to (ISO dates)
          --tenant T, --model M, --rule R, --method M, --arm A   filters
          --json           the answer as JSON

  keys create --tenant T [--name N] [--admin]   a tenant API key, printed once (stored as a hash in
                                     MongoDB); --admin: it may also read what spans tenants (optimizer reports)
  keys list [--tenant T] [--json]    keys by id, tenant, prefix and state (never the key)
  keys revoke KEY_ID                 every ingress replica stops accepting it at once

  dlq list | replay | drop   events feedback-aggregator could not store (invalid, failing every delivery,
                   feedback for a request with no record), kept in the ROUTER_DEADLETTER stream with why
          --seq N[,N...]   the letters to act on (see dlq list)
          --all            every letter (with --reason, every letter of that reason)
          --reason R       invalid | failing | unknown-request
          --limit N        list: the newest N (default 50)
          --json           list: one JSON object per letter, its payload decoded

  bench retrain    the nightly retraining at scale: N labelled routing records stored as the services would
                   (a dataset's prompts, its cold policy with 5% exploration), then the job's steps timed:
                   reading them, training, the off-policy comparison, storing the router
          --records N      (default 50000)
          --dataset FILE   (default datasets/sample/mmlu-pro-3000.jsonl.gz)
          --dims-log2 N    hashed feature dimensions, log2 (default 18, as RETRAIN_DIMS)

  bench pipeline   serial latency through the running services next to a NATS echo (scripts/services.sh start first;
                   a tenant key in SWITCHYARD_API_KEY)
          --requests N     requests to time (default 1000)

  bench overhead   start the six services (instant simulated provider, private nats-server), offer fixed request
                   rates open-loop on the public subject, then find the highest rate sustained with nothing lost;
                   a raw NATS echo in another process is measured the same way in the same run
          --rates LIST       offered rates per second, comma-separated (default 100,250,500,1000)
          --seconds N        seconds per fixed rate (default 5)
          --step-seconds N   seconds per saturation step; 0 skips the search (default 3)
          --timeout-ms N     a request with no good reply within this is lost (default 2000)
          --max-p99-ms N     a step with a higher p99 is not sustained (default 100)

  bench soak       the system of record under sustained load: the six services (instant simulated provider,
                   private nats-server) take a fixed rate of requests with ids and feedback on a share of the
                   answers; then every answered request must have exactly one record and every rating its record
          --minutes N        how long (default 10)
          --rate N           requests per second, open loop (default 200)
          --feedback S       share of answers rated, 0..1 (default 0.2)
          --timeout-ms N     a request with no reply within this is lost (default 10000)

  bench stats      what the rollups buy: N synthetic records over D days in a database of its own, then the same
                   stats query answered from the rollups and from the records, alternately, checked equal
          --records N      records to write (default 1000000; about 3 minutes of writing on FerretDB)
          --days N         spread over, and queried (default 30)
          --rounds N       timed rounds of each (default 5)
          --keep           keep the database, and reuse it next time with the same --records

  bench echo       answer NATS request-reply on a subject with the request (the floor bench overhead runs)
          --subject S      the subject (required)

  bench gateway    an instant OpenAI-compatible upstream called directly, through Portkey's open-source gateway
                   (installed on demand in a temp folder) and through the six services (HTTP door, seed rules and
                   bands, every model on that upstream), side by side: serial latency, closed-loop throughput,
                   the latency each gateway adds and CPU per request of every process
          --seconds N          measured seconds per closed-loop step (default 5)
          --warmup-seconds N   load before each step, not counted (default 2)
          --connections LIST   keep-alive connections per closed-loop step, comma-separated (default 16,64)
          --serial-requests N  requests timed one at a time (default 2000)
          --portkey-version V  (default ${PORTKEY_DEFAULT_VERSION})
          --skip-portkey       without the Portkey row
          --json FILE          also write the raw numbers

  bench upstream   answer every POST /v1/chat/completions at once with a fixed completion (what bench gateway runs)
          --port N         (default: a free one, printed)

  eval    every routing strategy replayed on a dataset's held-out part: quality, cost, saving, APGR
          --dataset FILE   JSONL outcomes file (required)
          --split S        share used for training (default 0.7)
          --seed N         split and training seed (default 0)
          --out DIR        where results.json goes (default out/eval)
          --train FILE --test FILE   your own split instead of --dataset and --split
          --cv task        leave one task out: a fold per task, trained on the others (routers only)
          --epochs N --step X        train the learned router with these instead of tuning them on a
                           validation cut (e.g. --epochs 2 --step 0.02, the settings before tuning)
          --train-size N[,N...]      learning curve: the train part subsampled to N rows, same test part
                           (routers only; e.g. 500,1000,2000,5000)
          --live           instead: send the test prompts through the six services (started here, replay
                           provider) and check they reproduce the offline numbers of the same policy; writes live.json
          --cost-weight W  --live: the learned router's cost weight in the policy (default: the policy default)
          --tolerance T    --live: or its tolerance instead
          --policy FILE    --live: evaluate this policy instead of the learned router trained on the train part
          --concurrency N  --live: requests in flight at once (default 16)
          --task-hint      --live: requests carry the row's task label as hints.task (and the router learns it)

  simulate the learning loop on real data: N days of traffic from a dataset's train part through the six
          services (started here, replay provider, a private nats-server), feedback on a share of answers, and
          at the end of each day rule-optimizer's canary check and retraining; each day's policy replayed on
          the test part; writes simulate.json and simulate.html
          --dataset FILE   JSONL outcomes file, .gz too (default datasets/sample/mmlu-pro-3000.jsonl.gz)
          --days N         simulated days (default 7)
          --requests-per-day N   (default 1500)
          --out DIR        (default out/simulate)
          --split S, --seed N    the split switchyard eval uses (defaults 0.7, 0)
          --feedback-share X     share of answers with feedback (default 0.5)
          --feedback-noise X     chance a feedback says the opposite of the recorded score (default 0.05)
          --exploration P  exploration percent of the cold policy (default 5)
          --canary P       canary share of a released router, percent (default 50)
          --concurrency N  requests in flight at once (default 16)
          --no-reference   skip training the offline reference router

environment: NATS_URL, REDIS_URL, MONGODB_URI, as for the services; SWITCHYARD_API_KEY for bench pipeline and stats.`;

// The dataset commands' shared options: the file, and how it is split into train and test parts.
const SPLIT_OPTIONS = {
  dataset: { type: 'string' },
  split: { type: 'string', default: '0.7' },
  seed: { type: 'string', default: '0' },
} as const;

// Where the local servers are, as for the services (their defaults).
const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
/**
 * The operator's NATS identity for the commands that change the system (policy publish, keys, dlq): the
 * same variables as the services' (NATS_USER/NATS_PASSWORD of the admin user, NATS_TOKEN, NATS_NKEY_SEED_FILE,
 * NATS_CREDS_FILE, NATS_TLS_*).
 */
const adminNats = () =>
  natsConnectionOptions(NATS_URL, 'switchyard-cli', loadConfig('switchyard', natsAuthEnvSchema, process.env));
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const MONGODB_URI = process.env['MONGODB_URI'] ?? 'mongodb://127.0.0.1:27017/switchyard';
const MONGO_SERVER = (process.env['MONGODB_URI'] ?? 'mongodb://127.0.0.1:27017').replace(
  /^(mongodb(\+srv)?:\/\/[^/]+).*$/,
  '$1',
);

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve': {
      const { values } = parseArgs({ args: rest, options: { services: { type: 'string', default: 'all' } } });
      return runServe(values.services);
    }
    case 'demo': {
      const { values } = parseArgs({
        args: rest,
        options: { requests: { type: 'string', default: '400' }, concurrency: { type: 'string', default: '16' } },
      });
      const requests = positiveInt(values.requests, '--requests');
      const concurrency = positiveInt(values.concurrency, '--concurrency');
      return runDemo({
        requests,
        concurrency,
        natsUrl: NATS_URL,
        redisUrl: REDIS_URL,
        mongoServer: (process.env['MONGODB_URI'] ?? 'mongodb://127.0.0.1:27017').replace(
          /^(mongodb(\+srv)?:\/\/[^/]+).*$/,
          '$1',
        ),
      });
    }
    case 'train': {
      const { values } = parseArgs({
        args: rest,
        options: {
          ...SPLIT_OPTIONS,
          out: { type: 'string' },
          epochs: { type: 'string' },
          'dims-log2': { type: 'string', default: '18' },
          l2: { type: 'string', default: '0' },
          'learning-rate': { type: 'string' },
          'task-hint': { type: 'boolean', default: false },
          publish: { type: 'boolean', default: false },
        },
      });
      if (!values.dataset) throw new Error('train needs --dataset FILE');
      const name = values.dataset.replace(/^.*\//, '').replace(/\.jsonl?(\.gz)?$/, '');
      return runTrain({
        dataset: values.dataset,
        split: Number(values.split),
        seed: nonNegativeInt(values.seed, '--seed'),
        out: values.out ?? `models/${name}.json`,
        ...(values.epochs === undefined ? {} : { epochs: positiveInt(values.epochs, '--epochs') }),
        dimsLog2: positiveInt(values['dims-log2'], '--dims-log2'),
        l2: nonNegativeNumber(values.l2, '--l2'),
        ...(values['learning-rate'] === undefined
          ? {}
          : { learningRate: positiveNumber(values['learning-rate'], '--learning-rate') }),
        taskHint: values['task-hint'] === true,
        publishTo: values.publish ? MONGODB_URI : undefined,
      });
    }
    case 'bench': {
      const [what, ...args] = rest;
      if (what === 'pipeline') {
        const { values } = parseArgs({ args, options: { requests: { type: 'string', default: '1000' } } });
        return runBenchPipeline({
          natsUrl: NATS_URL,
          apiKey: process.env['SWITCHYARD_API_KEY'],
          requests: positiveInt(values.requests, '--requests'),
        });
      }
      if (what === 'retrain') {
        const { values } = parseArgs({
          args,
          options: {
            dataset: { type: 'string', default: 'datasets/sample/mmlu-pro-3000.jsonl.gz' },
            records: { type: 'string', default: '50000' },
            'dims-log2': { type: 'string', default: '18' },
          },
        });
        return runBenchRetrain({
          dataset: values.dataset as string,
          mongoServer: MONGO_SERVER,
          records: positiveInt(values.records, '--records'),
          dims: 1 << positiveInt(values['dims-log2'], '--dims-log2'),
        });
      }
      if (what === 'stats') {
        const { values } = parseArgs({
          args,
          options: {
            records: { type: 'string', default: '1000000' },
            days: { type: 'string', default: '30' },
            rounds: { type: 'string', default: '5' },
            keep: { type: 'boolean', default: false },
          },
        });
        return runBenchStats({
          mongoServer: MONGO_SERVER,
          records: positiveInt(values.records, '--records'),
          days: positiveInt(values.days, '--days'),
          rounds: positiveInt(values.rounds, '--rounds'),
          keep: values.keep === true,
        });
      }
      if (what === 'overhead') {
        const { values } = parseArgs({
          args,
          options: {
            rates: { type: 'string', default: '100,250,500,1000' },
            seconds: { type: 'string', default: '5' },
            'step-seconds': { type: 'string', default: '3' },
            'timeout-ms': { type: 'string', default: '2000' },
            'max-p99-ms': { type: 'string', default: '100' },
          },
        });
        return runBenchOverhead({
          rates: (values.rates ?? '').split(',').map((r) => positiveInt(r.trim(), '--rates')),
          seconds: positiveInt(values.seconds, '--seconds'),
          stepSeconds: nonNegativeInt(values['step-seconds'], '--step-seconds'),
          timeoutMs: positiveInt(values['timeout-ms'], '--timeout-ms'),
          maxP99Ms: positiveInt(values['max-p99-ms'], '--max-p99-ms'),
          natsUrl: NATS_URL,
          redisUrl: REDIS_URL,
          mongoServer: MONGO_SERVER,
        });
      }
      if (what === 'soak') {
        const { values } = parseArgs({
          args,
          options: {
            minutes: { type: 'string', default: '10' },
            rate: { type: 'string', default: '200' },
            feedback: { type: 'string', default: '0.2' },
            'timeout-ms': { type: 'string', default: '10000' },
          },
        });
        const minutes = Number(values.minutes);
        if (!(minutes > 0)) throw new Error(`--minutes must be a number above 0, got "${values.minutes}"`);
        const feedbackShare = nonNegativeNumber(values.feedback, '--feedback');
        if (feedbackShare > 1) throw new Error(`--feedback must be between 0 and 1, got "${values.feedback}"`);
        return runBenchSoak({
          minutes,
          rate: positiveInt(values.rate, '--rate'),
          feedbackShare,
          timeoutMs: positiveInt(values['timeout-ms'], '--timeout-ms'),
          natsUrl: NATS_URL,
          redisUrl: REDIS_URL,
          mongoServer: MONGO_SERVER,
        });
      }
      if (what === 'gateway') {
        const { values } = parseArgs({
          args,
          options: {
            seconds: { type: 'string', default: '5' },
            'warmup-seconds': { type: 'string', default: '2' },
            connections: { type: 'string', default: '16,64' },
            'serial-requests': { type: 'string', default: '2000' },
            'portkey-version': { type: 'string', default: PORTKEY_DEFAULT_VERSION },
            'skip-portkey': { type: 'boolean', default: false },
            json: { type: 'string' },
          },
        });
        return runBenchGateway({
          seconds: positiveNumber(values.seconds, '--seconds'),
          warmupSeconds: nonNegativeNumber(values['warmup-seconds'], '--warmup-seconds'),
          connections: (values.connections ?? '').split(',').map((c) => positiveInt(c.trim(), '--connections')),
          serialRequests: positiveInt(values['serial-requests'], '--serial-requests'),
          portkeyVersion: values['portkey-version'] as string,
          skipPortkey: values['skip-portkey'] === true,
          json: values.json,
          natsUrl: NATS_URL,
          redisUrl: REDIS_URL,
          mongoServer: MONGO_SERVER,
        });
      }
      if (what === 'upstream') {
        const { values } = parseArgs({ args, options: { port: { type: 'string', default: '0' } } });
        return runUpstreamServer({ port: nonNegativeInt(values.port, '--port') });
      }
      if (what === 'echo') {
        const { values } = parseArgs({ args, options: { subject: { type: 'string' } } });
        if (!values.subject) throw new Error('bench echo needs --subject S');
        return runEchoServer({ natsUrl: NATS_URL, subject: values.subject });
      }
      if (what !== 'decision')
        throw new Error(
          `unknown benchmark "${what ?? ''}"; try: bench decision, bench pipeline, bench overhead, bench gateway, bench soak`,
        );
      const { values } = parseArgs({
        args,
        options: {
          dataset: { type: 'string' },
          prompts: { type: 'string', default: '10000' },
          model: { type: 'string' },
        },
      });
      if (!values.dataset) throw new Error('bench decision needs --dataset FILE');
      return runBenchDecision({
        dataset: values.dataset,
        prompts: positiveInt(values.prompts, '--prompts'),
        model: values.model,
      });
    }
    case 'simulate': {
      const { values } = parseArgs({
        args: rest,
        options: {
          ...SPLIT_OPTIONS,
          dataset: { type: 'string', default: 'datasets/sample/mmlu-pro-3000.jsonl.gz' },
          days: { type: 'string', default: '7' },
          'requests-per-day': { type: 'string', default: '1500' },
          out: { type: 'string', default: 'out/simulate' },
          'feedback-share': { type: 'string', default: '0.5' },
          'feedback-noise': { type: 'string', default: '0.05' },
          exploration: { type: 'string', default: '5' },
          canary: { type: 'string', default: '50' },
          concurrency: { type: 'string', default: '16' },
          'no-reference': { type: 'boolean', default: false },
        },
      });
      const share = (v: string | undefined, flag: string) => {
        const n = nonNegativeNumber(v, flag);
        if (n > 1) throw new Error(`${flag} must be between 0 and 1, got "${v}"`);
        return n;
      };
      const exploration = nonNegativeNumber(values.exploration, '--exploration');
      if (exploration > 20) throw new Error(`--exploration must be at most 20 (percent), got "${values.exploration}"`);
      const canary = nonNegativeNumber(values.canary, '--canary');
      if (canary <= 0 || canary > 100)
        throw new Error(`--canary must be in (0, 100] (percent), got "${values.canary}"`);
      return runSimulate({
        dataset: values.dataset as string,
        days: positiveInt(values.days, '--days'),
        requestsPerDay: positiveInt(values['requests-per-day'], '--requests-per-day'),
        out: values.out as string,
        split: Number(values.split),
        seed: nonNegativeInt(values.seed, '--seed'),
        feedbackShare: share(values['feedback-share'], '--feedback-share'),
        feedbackNoise: share(values['feedback-noise'], '--feedback-noise'),
        explorationPercent: exploration,
        canaryPercent: canary,
        concurrency: positiveInt(values.concurrency, '--concurrency'),
        redisUrl: REDIS_URL,
        mongoServer: MONGO_SERVER,
        reference: values['no-reference'] !== true,
      });
    }
    case 'eval': {
      const { values } = parseArgs({
        args: rest,
        options: {
          ...SPLIT_OPTIONS,
          out: { type: 'string', default: 'out/eval' },
          live: { type: 'boolean', default: false },
          tolerance: { type: 'string' },
          'cost-weight': { type: 'string' },
          policy: { type: 'string' },
          concurrency: { type: 'string', default: '16' },
          'task-hint': { type: 'boolean', default: false },
          train: { type: 'string' },
          test: { type: 'string' },
          cv: { type: 'string' },
          'train-size': { type: 'string' },
          epochs: { type: 'string' },
          step: { type: 'string' },
        },
      });
      if ((values.epochs === undefined) !== (values.step === undefined))
        throw new Error('--epochs N and --step X go together (fixed training instead of tuning)');
      const generalisation = (['train', 'test', 'cv', 'train-size'] as const).filter((k) => values[k] !== undefined);
      if (values.live && generalisation.length > 0)
        throw new Error(`${generalisation.map((k) => `--${k}`).join(', ')} cannot be combined with --live`);
      if ((values.train === undefined) !== (values.test === undefined))
        throw new Error('--train FILE and --test FILE go together');
      if (values.train !== undefined && values.dataset !== undefined)
        throw new Error('give --dataset (split here) or --train and --test (your own split), not both');
      if (values.cv !== undefined && values.cv !== 'task')
        throw new Error(`--cv takes "task" (leave one task out), got "${values.cv}"`);
      if (values.cv !== undefined && values['train-size'] !== undefined)
        throw new Error('give --cv or --train-size, not both');
      if (!values.dataset && values.train === undefined)
        throw new Error('eval needs --dataset FILE (or --train FILE --test FILE)');
      const liveOnly = (['tolerance', 'cost-weight', 'policy', 'task-hint'] as const).filter(
        (k) => values[k] !== undefined && values[k] !== false,
      );
      if (!values.live && liveOnly.length > 0)
        throw new Error(
          `${liveOnly.map((k) => `--${k}`).join(', ')} ${liveOnly.length === 1 ? 'applies' : 'apply'} only with --live (the offline eval traces every cost weight, with and without the task hint)`,
        );
      if (values.live) {
        if (values.tolerance !== undefined && values['cost-weight'] !== undefined)
          throw new Error('give --tolerance or --cost-weight, not both');
        const tolerance =
          values.tolerance === undefined ? undefined : nonNegativeNumber(values.tolerance, '--tolerance');
        if (tolerance !== undefined && tolerance > 1)
          throw new Error(`--tolerance must be between 0 and 1, got "${values.tolerance}"`);
        if (!values.dataset) throw new Error('eval --live needs --dataset FILE');
        return runEvalLive({
          dataset: values.dataset,
          split: Number(values.split),
          seed: nonNegativeInt(values.seed, '--seed'),
          out: values.out ?? 'out/eval',
          knob:
            tolerance !== undefined
              ? { tolerance }
              : values['cost-weight'] !== undefined
                ? { costWeight: nonNegativeNumber(values['cost-weight'], '--cost-weight') }
                : undefined,
          policy: values.policy,
          concurrency: positiveInt(values.concurrency, '--concurrency'),
          taskHint: values['task-hint'] === true,
          natsUrl: NATS_URL,
          redisUrl: REDIS_URL,
          mongoServer: MONGO_SERVER,
        });
      }
      return runEval({
        ...(values.train !== undefined && values.test !== undefined
          ? { files: { train: values.train, test: values.test } }
          : { dataset: values.dataset as string }),
        split: Number(values.split),
        seed: nonNegativeInt(values.seed, '--seed'),
        out: values.out ?? 'out/eval',
        ...(values.epochs !== undefined && values.step !== undefined
          ? {
              training: {
                epochs: positiveInt(values.epochs, '--epochs'),
                learningRate: positiveNumber(values.step, '--step'),
              },
            }
          : {}),
        ...(values.cv === 'task' ? { cv: 'task' as const } : {}),
        ...(values['train-size'] === undefined
          ? {}
          : {
              trainSizes: values['train-size'].split(',').map((n) => positiveInt(n.trim(), '--train-size')),
            }),
      });
    }
    case 'policy': {
      const [what, ...args] = rest;
      if (what === 'apply-suggestion') {
        const { values, positionals } = parseArgs({
          args,
          allowPositionals: true,
          options: {
            percent: { type: 'string', default: '10' },
            'sticky-by': { type: 'string', default: 'tenant' },
            policy: { type: 'string' },
            out: { type: 'string', default: 'out/policies' },
          },
        });
        if (positionals.length !== 1)
          throw new Error('usage: switchyard policy apply-suggestion ID [--percent P] (see switchyard suggestions)');
        const percent = Number(values.percent);
        if (!Number.isFinite(percent) || percent < 1 || percent > 50)
          throw new Error(`--percent must be a number from 1 to 50 (a canary, not a switch), got "${values.percent}"`);
        const stickyBy = values['sticky-by'];
        if (stickyBy !== 'tenant' && stickyBy !== 'user')
          throw new Error(`--sticky-by must be tenant or user, got "${stickyBy}"`);
        return runApplySuggestion({
          suggestionId: positionals[0],
          percent,
          stickyBy,
          policyFile: values.policy,
          policyDir: dirname(process.env['POLICY_FILE'] ?? 'policies/default.yaml'),
          outDir: values.out ?? 'out/policies',
          nats: adminNats(),
          trust: policyTrustOf(loadConfig('switchyard', policyTrustEnvSchema, process.env)),
          mongoUri: MONGODB_URI,
        });
      }
      const [file] = args;
      if (what !== 'publish' || !file)
        throw new Error('usage: switchyard policy publish FILE | policy apply-suggestion ID');
      return runPublishPolicy({
        file,
        nats: adminNats(),
        // Validated as the services will: the same variables, or a policy they refuse would be published.
        trust: policyTrustOf(loadConfig('switchyard', policyTrustEnvSchema, process.env)),
        mongoUri: MONGODB_URI,
      });
    }
    case 'report': {
      const { values } = parseArgs({
        args: rest,
        options: {
          run: { type: 'boolean', default: false },
          days: { type: 'string' },
          id: { type: 'string' },
          html: { type: 'string' },
          json: { type: 'boolean', default: false },
        },
      });
      return runReport({
        mongoUri: MONGODB_URI,
        id: values.id,
        json: values.json === true,
        html: values.html,
        run: values.run
          ? {
              nats: adminNats(),
              days: values.days === undefined ? undefined : positiveInt(values.days, '--days'),
              timeoutMs: 10 * 60_000,
            }
          : undefined,
      });
    }
    case 'suggestions': {
      const { values } = parseArgs({
        args: rest,
        options: {
          status: { type: 'string', default: 'open' },
          limit: { type: 'string', default: '50' },
          json: { type: 'boolean', default: false },
        },
      });
      const status = values.status as 'open' | 'applied' | 'superseded' | 'all';
      if (!['open', 'applied', 'superseded', 'all'].includes(status))
        throw new Error(`--status must be open, applied, superseded or all, got "${values.status}"`);
      return runSuggestions({
        mongoUri: MONGODB_URI,
        status,
        json: values.json === true,
        limit: positiveInt(values.limit, '--limit'),
      });
    }
    case 'stats': {
      const { values } = parseArgs({
        args: rest,
        options: {
          'group-by': { type: 'string', default: 'model' },
          days: { type: 'string' },
          from: { type: 'string' },
          to: { type: 'string' },
          tenant: { type: 'string' },
          model: { type: 'string' },
          rule: { type: 'string' },
          method: { type: 'string' },
          arm: { type: 'string' },
          json: { type: 'boolean', default: false },
        },
      });
      const key = process.env['SWITCHYARD_API_KEY'];
      if (!key)
        throw new Error('stats takes a key in SWITCHYARD_API_KEY: a tenant key (its own stats) or an admin key');
      const groupBy = (values['group-by'] ?? '')
        .split(',')
        .map((d) => d.trim())
        .filter(Boolean);
      return runStats({
        nats: adminNats(),
        key,
        json: values.json === true,
        query: {
          groupBy: groupBy as never,
          // Options not given stay out of the query (JSON drops undefined).
          days: values.days === undefined ? undefined : positiveInt(values.days, '--days'),
          from: values.from,
          to: values.to,
          tenant: values.tenant,
          model: values.model,
          rule: values.rule,
          method: values.method,
          arm: values.arm,
        },
      });
    }
    case 'keys': {
      const [what, ...args] = rest;
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
          tenant: { type: 'string' },
          name: { type: 'string' },
          admin: { type: 'boolean', default: false },
          json: { type: 'boolean', default: false },
        },
      });
      const env = { mongoUri: MONGODB_URI, nats: adminNats() };
      if (what === 'create') {
        if (!values.tenant) throw new Error('keys create needs --tenant T');
        return runTenantKeys(
          { action: 'create', tenant: values.tenant, name: values.name, admin: values.admin === true },
          env,
        );
      }
      if (what === 'list')
        return runTenantKeys({ action: 'list', tenant: values.tenant, json: values.json === true }, env);
      if (what === 'revoke') {
        if (positionals.length !== 1)
          throw new Error('usage: switchyard keys revoke KEY_ID (see switchyard keys list)');
        return runTenantKeys({ action: 'revoke', keyId: positionals[0] }, env);
      }
      throw new Error('usage: switchyard keys create --tenant T [--name N] | list [--tenant T] | revoke KEY_ID');
    }
    case 'dlq': {
      const [what, ...args] = rest;
      if (what !== 'list' && what !== 'replay' && what !== 'drop')
        throw new Error('usage: switchyard dlq list | replay | drop [--seq N[,N...] | --all] [--reason R]');
      const { values } = parseArgs({
        args,
        options: {
          seq: { type: 'string' },
          all: { type: 'boolean', default: false },
          reason: { type: 'string' },
          limit: { type: 'string', default: '50' },
          json: { type: 'boolean', default: false },
        },
      });
      return runDeadLetters({
        action: what,
        nats: adminNats(),
        seqs: values.seq === undefined ? [] : values.seq.split(',').map((s) => positiveInt(s.trim(), '--seq')),
        all: values.all === true,
        reason: values.reason,
        limit: positiveInt(values.limit, '--limit'),
        json: values.json === true,
      });
    }
    case undefined:
    case '--help':
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`switchyard: unknown command "${command}"\n${USAGE}\n`);
      return 2;
  }
}

function nonNegativeNumber(value: string | undefined, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} must be a number >= 0, got "${value}"`);
  return n;
}

function nonNegativeInt(value: string | undefined, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} must be a whole number >= 0, got "${value}"`);
  return n;
}

function positiveNumber(value: string | undefined, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} must be a positive number, got "${value}"`);
  return n;
}

function positiveInt(value: string | undefined, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} must be a positive whole number, got "${value}"`);
  return n;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`switchyard: ${err.message}\n`);
    process.exit(1);
  },
);
