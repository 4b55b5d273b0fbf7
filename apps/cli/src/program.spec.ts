import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './program';
import { runInProcess } from './testing/run-in-process';

const ROOT = join(__dirname, '..', '..', '..');
const DEFAULT_POLICY = join(ROOT, 'policies', 'default.yaml');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe(runCli.name, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('--version and --help', () => {
    it('prints the version of package.json', async () => {
      const sut = await runInProcess(['--version']);
      expect(sut).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    });

    it('lists every command with its description', async () => {
      const sut = await runInProcess(['--help']);
      expect(sut.code).toBe(0);
      for (const command of ['serve', 'demo', 'chat', 'feedback', 'schema', 'train', 'eval', 'simulate', 'bench'])
        expect(sut.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
      for (const command of ['policy', 'report', 'suggestions', 'stats', 'models', 'keys', 'dlq'])
        expect(sut.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
      expect(sut.stdout).toContain('Exit codes: 0 done, 1 failed, 2 bad command line.');
    });

    it('shows a subcommand its options, their defaults and descriptions', async () => {
      const soak = await runInProcess(['bench', 'soak', '--help']);
      expect(soak.code).toBe(0);
      expect(soak.stdout).toContain('Usage: switchyard bench soak [options]');
      expect(soak.stdout).toMatch(/--rate <n>\s+requests per second, open loop \(default: 200\)/);
      const chat = await runInProcess(['help', 'chat']);
      expect(chat.code).toBe(0);
      expect(chat.stdout).toContain('Usage: switchyard chat [options] [message...]');
      expect(chat.stdout).toMatch(/--timeout-ms <n>[^-]*\(default: 60000\)/);
      const validate = await runInProcess(['policy', 'validate', '--help']);
      expect(validate.stdout).toContain('Usage: switchyard policy validate [options] <file>');
    });

    it('shows the help on stderr and exits 2 when the command is missing', async () => {
      const sut = await runInProcess([]);
      expect(sut.code).toBe(2);
      expect(sut.stdout).toBe('');
      expect(sut.stderr).toContain('Usage: switchyard [options] [command]');
      expect((await runInProcess(['bench'])).code).toBe(2);
    });
  });

  describe('a wrong command line', () => {
    it('prints a failure document on stdout with --json, after the line on stderr', async () => {
      const missing = await runInProcess(['eval', '--dataset', '/nonexistent/x.jsonl', '--json']);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('switchyard: cannot read dataset /nonexistent/x.jsonl');
      expect(JSON.parse(missing.stdout)).toEqual({
        ok: false,
        exitCode: 1,
        error: expect.stringContaining('cannot read dataset /nonexistent/x.jsonl'),
      });
      const usage = await runInProcess(['eval', '--dataset', 'x.jsonl', '--repeat', '1', '--json']);
      expect(usage.code).toBe(2);
      expect(JSON.parse(usage.stdout)).toMatchObject({ ok: false, exitCode: 2 });
      // After --, --json is an argument, not the option.
      expect((await runInProcess(['chta', '--', '--json'])).stdout).toBe('');
    });

    it('exits 2 naming a command help is asked about that does not exist, and an unknown service to serve', async () => {
      expect(await runInProcess(['help', 'chta'])).toEqual({
        code: 2,
        stdout: '',
        stderr: "switchyard: unknown command 'chta' (switchyard --help lists them)\n",
      });
      const serve = await runInProcess(['serve', '--services', 'ingress,foo']);
      expect(serve.code).toBe(2);
      expect(serve.stderr).toMatch(
        /^switchyard: option '--services <list>' argument 'ingress,foo' is invalid\. unknown service foo; use all or a list of ingress, /,
      );
    });

    it('exits 2 naming an unknown command, with the nearest one', async () => {
      const sut = await runInProcess(['chta', 'hello']);
      expect(sut).toEqual({
        code: 2,
        stdout: '',
        stderr: "switchyard: unknown command 'chta' (Did you mean chat?)\n",
      });
    });

    it('exits 2 naming an unknown option', async () => {
      const sut = await runInProcess(['demo', '--request', '5']);
      expect(sut.code).toBe(2);
      expect(sut.stderr).toBe("switchyard: unknown option '--request' (Did you mean --requests?)\n");
    });

    it('exits 2 naming the option when a number is bad', async () => {
      const sut = await runInProcess(['bench', 'overhead', '--seconds', 'ten']);
      expect(sut.code).toBe(2);
      expect(sut.stderr).toBe(
        "switchyard: option '--seconds <n>' argument 'ten' is invalid. Expected a whole number above 0.\n",
      );
      expect((await runInProcess(['eval', '--dataset', 'x.jsonl', '--tolerance', '2'])).stderr).toContain(
        "option '--tolerance <t>' argument '2' is invalid",
      );
      expect((await runInProcess(['bench', 'overhead', '--rates', '100,x'])).code).toBe(2);
      // 2^40 dimensions would overflow the shift; every command bounds it.
      for (const command of [['eval'], ['train'], ['bench', 'retrain']])
        expect((await runInProcess([...command, '--dataset', 'x.jsonl', '--dims-log2', '40'])).stderr).toBe(
          "switchyard: option '--dims-log2 <n>' argument '40' is invalid. Expected a whole number from 10 to 22.\n",
        );
      expect(await runInProcess(['report', '--days', '3'])).toMatchObject({
        code: 2,
        stderr: 'switchyard: --days sets the window of a run: use it with --run\n',
      });
      expect((await runInProcess(['train', '--dataset', 'x.jsonl', '--words', 'spaces'])).stderr).toBe(
        "switchyard: option '--words <scanner>' argument 'spaces' is invalid. Allowed choices are letters, latin-han.\n",
      );
      expect((await runInProcess(['eval', '--dataset', 'x.jsonl', '--tune-by-task', 'beside'])).stderr).toBe(
        "switchyard: option '--tune-by-task [how]' argument 'beside' is invalid. Expected 'instead' or 'alongside'.\n",
      );
      expect((await runInProcess(['eval', '--dataset', 'x.jsonl', '--adagrad-start', '-0.1'])).stderr).toBe(
        "switchyard: option '--adagrad-start <sum>' argument '-0.1' is invalid. Expected a number, 0 or more.\n",
      );
      for (const k of ['1', '2.5', '101'])
        expect((await runInProcess(['eval', '--dataset', 'x.jsonl', '--average-folds', k])).stderr).toBe(
          `switchyard: option '--average-folds <k>' argument '${k}' is invalid. Expected 0 or a whole number from 2 to 100.\n`,
        );
      expect((await runInProcess(['eval', '--dataset', 'x.jsonl', '--average-iterates', 'last'])).stderr).toBe(
        "switchyard: option '--average-iterates <how>' argument 'last' is invalid. Allowed choices are epoch, all, none.\n",
      );
      expect((await runInProcess(['eval', '--dataset', 'x.jsonl', '--bootstrap', '-1'])).stderr).toBe(
        "switchyard: option '--bootstrap <n>' argument '-1' is invalid. Expected a whole number from 0 to 100000.\n",
      );
    });

    it('exits 2 when options do not go together, saying which', async () => {
      const sut = await runInProcess(['eval', '--dataset', 'x.jsonl', '--epochs', '2']);
      expect(sut).toEqual({
        code: 2,
        stdout: '',
        stderr: 'switchyard: --epochs N and --step X go together (fixed training instead of tuning)\n',
      });
      expect((await runInProcess(['eval', '--dataset', 'x.jsonl', '--cv', 'model'])).stderr).toContain(
        '--cv takes "task"',
      );
      expect((await runInProcess(['eval', '--dataset', 'x.jsonl', '--cv', 'task', '--train-size', '500'])).stderr).toBe(
        'switchyard: give one of --cv, --train-size, not more\n',
      );
      expect((await runInProcess(['eval', '--dataset', 'x.jsonl', '--repeat', '1'])).stderr).toBe(
        'switchyard: --repeat takes 2 or more seeds, got 1 (one seed is a run without it)\n',
      );
      expect((await runInProcess(['eval', '--combine', 'a', 'b', '--cv', 'task', '--seed', '2'])).stderr).toBe(
        'switchyard: --combine reads finished runs and takes only --out and --json, not --seed, --cv\n',
      );
      expect((await runInProcess(['eval', '--combine', 'a'])).stderr).toBe(
        'switchyard: --combine takes the folders of 2 or more runs, at different seeds\n',
      );
      expect((await runInProcess(['eval', '--train', 'x.jsonl'])).stderr).toBe(
        'switchyard: --train FILE and --test FILE go together\n',
      );
      expect(
        (await runInProcess(['eval', '--train', 'a.jsonl', '--test', 'b.jsonl', '--repeat', '3'])).stderr,
      ).toContain('with --train and --test the split is yours');
      expect((await runInProcess(['eval', '--dataset', 'x.jsonl', '--live', '--bootstrap', '200'])).stderr).toBe(
        'switchyard: --bootstrap cannot be combined with --live\n',
      );
      expect((await runInProcess(['dlq', 'drop'])).stderr).toBe('switchyard: dlq drop needs --seq N[,N...] or --all\n');
    });

    it('exits 2 when a required option or argument is missing', async () => {
      expect(await runInProcess(['train'])).toMatchObject({
        code: 2,
        stderr: "switchyard: required option '--dataset <file>' not specified\n",
      });
      expect(await runInProcess(['policy', 'validate'])).toMatchObject({
        code: 2,
        stderr: "switchyard: missing required argument 'file'\n",
      });
      expect((await runInProcess(['keys', 'create', '--tenant', 'a:b'])).code).toBe(2);
      expect(await runInProcess(['bench', 'echo'])).toMatchObject({
        code: 2,
        stderr: "switchyard: required option '--subject <s>' not specified\n",
      });
    });

    it('names an unknown option before a missing required one', async () => {
      expect(await runInProcess(['train', '--bogus'])).toMatchObject({
        code: 2,
        stderr: "switchyard: unknown option '--bogus'\n",
      });
      // And with --json, the same as a document on stdout.
      const json = await runInProcess(['train', '--json', '--bogus']);
      expect(json.code).toBe(2);
      expect(JSON.parse(json.stdout)).toEqual({ ok: false, exitCode: 2, error: "unknown option '--bogus'" });
    });

    it('exits 2 when stats has no key to ask with', async () => {
      expect(await runInProcess(['stats'])).toMatchObject({
        code: 2,
        stderr: expect.stringContaining('SWITCHYARD_API_KEY'),
      });
    });
  });

  describe('policy validate', () => {
    it("passes the repository's default policy, offline", async () => {
      const sut = await runInProcess(['policy', 'validate', DEFAULT_POLICY]);
      expect(sut).toMatchObject({ code: 0, stderr: '' });
      expect(sut.stdout).toMatch(/^ok: .*default\.yaml version default@1, 4 models, \d+ rules\n$/);
    });

    it('prints { ok, errors } with --json', async () => {
      const sut = await runInProcess(['policy', 'validate', DEFAULT_POLICY, '--json']);
      expect(sut.code).toBe(0);
      expect(JSON.parse(sut.stdout)).toMatchObject({ ok: true, errors: [], version: 'default@1', models: 4 });
    });

    it('exits 1 naming the field of a broken policy', async () => {
      const broken = join(dir, 'broken.yaml');
      writeFileSync(
        broken,
        readFileSync(DEFAULT_POLICY, 'utf8').replace('route: { model: gpt-4o-mini }', 'route: { model: gpt-5-nano }'),
      );
      const sut = await runInProcess(['policy', 'validate', broken]);
      expect(sut.code).toBe(1);
      expect(sut.stdout).toBe('');
      expect(sut.stderr).toContain(`invalid: ${broken}`);
      expect(sut.stderr).toContain('gpt-5-nano');
      const json = await runInProcess(['policy', 'validate', broken, '--json']);
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout)).toEqual({
        ok: false,
        file: broken,
        errors: [{ field: expect.stringMatching(/^rules\.0\./), message: expect.stringContaining('gpt-5-nano') }],
      });
    });

    it('checks a policy naming a stored router offline but that level, and says so', async () => {
      const stored = join(dir, 'stored.yaml');
      writeFileSync(
        stored,
        readFileSync(DEFAULT_POLICY, 'utf8')
          .replace(/^version: .*$/m, 'version: stored@1')
          .concat('learned: { model: lr-20261204 }\n'),
      );
      const sut = await runInProcess(['policy', 'validate', stored]);
      expect(sut.code).toBe(0);
      expect(sut.stdout).toMatch(/^ok: .*stored\.yaml version stored@1, 4 models/);
      expect(sut.stderr).toBe(
        'note: learned.model lr-20261204 is in the model store, not checked offline (policy publish, and decision-engine at start, check it)\n',
      );
      // The rest of the learned level is still checked: a mode the schema does not know is refused.
      writeFileSync(stored, readFileSync(stored, 'utf8').replace('model: lr-20261204', 'model: lr-20261204, mode: x'));
      const broken = await runInProcess(['policy', 'validate', stored]);
      expect(broken.code).toBe(1);
      expect(broken.stderr).toContain('learned.mode');
    });

    it('exits 1 when the file cannot be read', async () => {
      const sut = await runInProcess(['policy', 'validate', join(dir, 'missing.yaml'), '--json']);
      expect(sut.code).toBe(1);
      expect(JSON.parse(sut.stdout)).toMatchObject({ ok: false, errors: [{ field: '(file)' }] });
    });
  });

  describe('schema', () => {
    it('prints every public contract as one JSON object by file name', async () => {
      const sut = await runInProcess(['schema']);
      expect(sut.code).toBe(0);
      const printed = JSON.parse(sut.stdout) as Record<string, { $id: string }>;
      expect(Object.keys(printed)).toEqual(
        expect.arrayContaining(['router.request.v1.request.json', 'router.request.v1.reply.json']),
      );
      expect(printed['router.feedback.v1.request.json'].$id).toContain('router.feedback.v1');
    });

    it('writes one file per schema with --out, removes those of contracts gone, and says so with --json', async () => {
      const out = join(dir, 'schemas');
      mkdirSync(out);
      writeFileSync(join(out, 'notes.json'), '{}');
      writeFileSync(join(out, 'router.gone.v1.reply.json'), '{}');
      const sut = await runInProcess(['schema', '--out', out, '--json']);
      expect(sut.code).toBe(0);
      const { files, removed } = JSON.parse(sut.stdout) as { files: string[]; removed: string[] };
      expect(removed).toEqual([join(out, 'router.gone.v1.reply.json')]);
      expect(readdirSync(out).sort()).toEqual([...files.map((f) => f.slice(out.length + 1)), 'notes.json'].sort());
      expect(JSON.parse(readFileSync(files[0], 'utf8'))).toHaveProperty('$schema');
    });
  });

  describe('train', () => {
    it('says with --json what it trained and where, with what the featurizer reads but no weights', async () => {
      const dataset = join(ROOT, 'datasets', 'sample', 'mmlu-pro-sample.jsonl');
      const out = join(dir, 'sample-router.json');
      const sut = await runInProcess([
        'train',
        '--dataset',
        dataset,
        '--out',
        out,
        '--epochs',
        '1',
        '--learning-rate',
        '0.05',
        '--dims-log2',
        '12',
        '--json',
      ]);
      expect(sut.code).toBe(0);
      expect(sut.stderr).toContain(`Wrote ${out}`);
      const printed = JSON.parse(sut.stdout) as Record<string, unknown>;
      expect(printed).toMatchObject({
        ok: true,
        out,
        format: 'switchyard.learned-router/1',
        featurizer: { dims: 4096, charNgrams: [2, 4], words: 'letters' },
        training: { epochs: 1, learningRate: 0.05 },
      });
      expect(printed['featurizer']).not.toHaveProperty('idf');
      for (const weights of ['quality', 'classifier']) expect(printed).not.toHaveProperty(weights);
      // The file itself holds all of it.
      const written = JSON.parse(readFileSync(out, 'utf8')) as Record<string, { idf?: number[] }>;
      expect(written['featurizer'].idf).toHaveLength(4096);
      expect(written).toHaveProperty('quality');
    }, 30_000);
  });

  describe('bench decision', () => {
    it('prints its numbers with --json, the report on stderr', async () => {
      const dataset = join(ROOT, 'datasets', 'sample', 'mmlu-pro-sample.jsonl');
      const sut = await runInProcess(['bench', 'decision', '--dataset', dataset, '--prompts', '200', '--json']);
      expect(sut.code).toBe(0);
      expect(sut.stderr).toContain('decision latency over 200 prompts');
      const printed = JSON.parse(sut.stdout) as {
        result: {
          latency: Record<'p50Ms' | 'p90Ms' | 'p99Ms' | 'maxMs', number>;
          pieces: Record<'features' | 'learned' | 'planning', Record<'p50Ms' | 'p99Ms', number>>;
        };
      };
      expect(printed).toMatchObject({
        command: 'bench decision',
        ok: true,
        exitCode: 0,
        result: {
          settings: { dataset, prompts: 200, modelFile: null, warmupPrompts: 200 },
          models: 9,
          routerVersion: 'bench',
          meanPromptChars: expect.any(Number),
          optionsPlanned: expect.any(Number),
        },
      });
      const { p50Ms, p90Ms, p99Ms, maxMs } = printed.result.latency;
      expect(0 < p50Ms && p50Ms <= p90Ms && p90Ms <= p99Ms && p99Ms <= maxMs).toBe(true);
      for (const piece of ['features', 'learned', 'planning'] as const) {
        const { p50Ms: p50, p99Ms: p99 } = printed.result.pieces[piece];
        expect(0 < p50 && p50 <= p99).toBe(true);
      }
    }, 30_000);
  });
});
