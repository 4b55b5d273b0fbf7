import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NatsConnection, connect, headers } from '@nats-io/transport-node';
import { type RollupRecord, type RollupRow, recountRollups, rollupKey } from '@switchyard/analytics';
import { type ChatReply, type ChatSuccess, SUBJECTS } from '@switchyard/contracts';
import { findWorkspaceRoot } from '@switchyard/launcher';
import { MONGO_CONNECT_OPTIONS, RollupRepository } from '@switchyard/persistence';
import { TemporaryNats, mongoUriFor, uniqueName, waitFor } from '@switchyard/testing';
import mongoose, { type Connection } from 'mongoose';
import { type Browser, chromium } from 'playwright-core';
import { ADMIN_KEY, TENANT_KEYS, e2eStack, natsUsersOf, runCliAs } from './stack';

// The analysts' view end to end, under the committed NATS permissions: a day's worth of traffic with
// exploration on and scripted feedback in which code_generation's model (claude-3-sonnet) is clearly worse
// than gpt-4o (seen on explored traffic); the rollups against a recount of the records; the optimizer's
// suggestion with its sample sizes; the report page in a real headless Chromium; the suggestion applied
// through the canary with the CLI.
const root = findWorkspaceRoot(__dirname);
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ARTIFACTS = join(root, 'tmp', 'e2e-artifacts');

const TOPICS = ['merges two sorted arrays', 'parses a CSV line', 'debounces a callback', 'reverses a linked list'];
const OTHER = ['hello there', 'What is the capital of France?', 'Summarize the plot of Hamlet in two sentences.'];

describe("the analysts' view: rollups, rule review, report page, a suggestion through the canary", () => {
  const nats = new TemporaryNats(join(root, 'deploy', 'k8s', 'nats', 'nats-server.conf'));
  const database = uniqueName('analysts');
  const dir = mkdtempSync(join(tmpdir(), 'analysts-'));
  const policyFile = join(dir, 'policy.yaml');
  writeFileSync(
    policyFile,
    readFileSync(join(root, 'policies', 'default.yaml'), 'utf8').replace('version: default@1', 'version: analysts@1') +
      '\nexploration: { percent: 20, models: [claude-3-sonnet, gpt-4o] }\n',
  );
  let stack: ReturnType<typeof e2eStack>;
  let tenant: NatsConnection;
  let db: Connection;
  let browser: Browser | undefined;
  const sent = { code: 0, labelled: 0, codeLabelled: 0 };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await nats.start();
    stack = e2eStack(database, {
      env: {
        NATS_URL: nats.url,
        CONSUMER_START: 'all',
        POLICY_FILE: policyFile,
        REVIEW_MIN_SAMPLES: '30',
        REVIEW_MIN_ALTERNATIVE_SAMPLES: '10',
      },
      serviceEnv: natsUsersOf(nats),
    });
    await stack.start();
    tenant = await connect({ servers: nats.url, user: 'demo', pass: nats.passwords.demo });
    db = await mongoose.createConnection(mongoUriFor(database), MONGO_CONNECT_OPTIONS).asPromise();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await tenant?.close();
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
    await stack?.stop();
    await nats.stop();
  }, 60_000);

  const request = async (subject: string, body: object, key = TENANT_KEYS.acme) => {
    const h = headers();
    h.set('Authorization', `Bearer ${key}`);
    return (await tenant.request(subject, JSON.stringify(body), { timeout: 15_000, headers: h })).json<any>();
  };
  const admin = (path: string, init: RequestInit = {}) =>
    fetch(`${stack.get('rule-optimizer').baseUrl}${path}`, {
      ...init,
      headers: { ...init.headers, authorization: `Bearer ${ADMIN_KEY.value}`, 'content-type': 'application/json' },
    });
  const cli = (args: string[]) =>
    runCliAs(args, {
      natsUrl: nats.url,
      user: 'admin',
      password: nats.passwords.admin,
      database,
      env: { POLICY_FILE: policyFile },
    });

  it('routes a day of traffic with exploration, and joins the scripted feedback', async () => {
    const replies: ChatReply[] = [];
    const jobs = Array.from({ length: 300 }, (_, i) => async () => {
      const content =
        i % 5 === 4
          ? OTHER[i % OTHER.length]
          : `Please implement a function that ${TOPICS[i % TOPICS.length]} in TypeScript (#${i}).`;
      replies[i] = (await request(SUBJECTS.request, {
        requestId: `day-${i}-${database}`, // ids of this run only: ingress's idempotency window is in the shared Redis
        messages: [{ role: 'user', content }],
      })) as ChatReply;
    });
    for (let next = 0; next < jobs.length; next += 16) await Promise.all(jobs.slice(next, next + 16).map((j) => j()));
    const ok = replies.filter((r): r is ChatSuccess => r.ok);
    expect(ok).toHaveLength(300);
    const code = ok.filter((r) => r.decision.rule === 'code_generation');
    const explored = code.filter((r) => r.decision.method === 'explore');
    // Exploration at 20% sends a share of the rule's traffic to gpt-4o, with its propensity.
    expect(explored.length).toBeGreaterThanOrEqual(15); // 48 expected of about 240
    expect(explored.every((r) => r.model === 'gpt-4o' && r.decision.propensity === 0.2)).toBe(true);
    expect(code.filter((r) => r.decision.method === 'rule').every((r) => r.decision.propensity === 0.8)).toBe(true);

    // Users are satisfied by gpt-4o 9 times in 10 on this traffic, by claude-3-sonnet 4 in 10.
    for (const [i, r] of code.entries()) {
      if (i % 6 === 5) continue; // some answers get no feedback
      const success = r.model === 'gpt-4o' ? i % 10 !== 0 : i % 5 < 2;
      expect(await request(SUBJECTS.feedback, { requestId: r.requestId, success })).toMatchObject({ ok: true });
      sent.labelled++;
      sent.codeLabelled++;
    }
    // The rest of the traffic (greetings, questions: rules and bands of their own) is rated too.
    for (const [i, r] of ok.filter((x) => x.decision.rule !== 'code_generation').entries()) {
      expect(await request(SUBJECTS.feedback, { requestId: r.requestId, rating: 3 + (i % 3) })).toMatchObject({
        ok: true,
      });
      sent.labelled++;
    }
    sent.code = code.length;
    await waitFor(
      'every rating on its record',
      async () =>
        (await db.collection('routing_records').countDocuments({ feedback: { $exists: true } })) === sent.labelled
          ? true
          : undefined,
      30_000,
      200,
    );
  }, 120_000);

  it('keeps rollups that match a recount of the raw records', async () => {
    const rollups = new RollupRepository(db);
    const window = { from: Date.now() - 2 * 3600_000, to: Date.now() + 3600_000 };
    const compare = async () => {
      const records = (await db.collection('routing_records').find({}).toArray()) as unknown as RollupRecord[];
      const recount = recountRollups(records);
      const stored = new Map((await rollups.find(window)).map((r) => [rollupKey(r), r]));
      const view = (r: RollupRow | undefined) =>
        r && [r.requests, r.succeeded, r.qualityCount, Number(r.qualitySum.toFixed(9)), Number(r.costUsd.toFixed(9))];
      const differing = [...new Set([...recount.keys(), ...stored.keys()])].filter(
        (k) => JSON.stringify(view(recount.get(k))) !== JSON.stringify(view(stored.get(k))),
      );
      return { rows: recount.size, differing };
    };
    // The rollups follow the records within a flush interval.
    const result = await waitFor(
      'rollups equal to the recount',
      async () => {
        const c = await compare();
        if (c.differing.length > 0) throw new Error(`rows differing: ${c.differing.join('; ')}`);
        return c;
      },
      10_000,
      250,
    );
    expect(result.rows).toBeGreaterThan(3);
  });

  let suggestionId = '';

  it('runs the optimizer and suggests gpt-4o for code_generation, with the sample sizes of the records', async () => {
    const accepted = await admin('/v1/optimizer/runs', { method: 'POST', body: JSON.stringify({ days: 1 }) });
    expect(accepted.status).toBe(202);
    const { jobId } = (await accepted.json()) as { jobId: string };
    const report = await waitFor(
      'the report of the run',
      async () => {
        const res = await admin('/v1/optimizer/reports/latest');
        const body = res.ok ? ((await res.json()) as any) : undefined;
        return body?.reportId?.startsWith(`${jobId}@`) ? body : undefined;
      },
      30_000,
      250,
    );
    const labelled = (model: string) =>
      db.collection('routing_records').countDocuments({ rule: 'code_generation', model, feedback: { $exists: true } });
    const suggestions = report.body.review.suggestions;
    expect(suggestions).toHaveLength(1);
    expect(suggestions[0]).toMatchObject({
      target: { kind: 'rule', name: 'code_generation' },
      reason: 'better',
      currentModel: 'claude-3-sonnet',
      suggestedModel: 'gpt-4o',
      current: { labelled: await labelled('claude-3-sonnet') },
      suggested: { labelled: await labelled('gpt-4o') },
    });
    expect(suggestions[0].current.labelled + suggestions[0].suggested.labelled).toBe(sent.codeLabelled);
    expect(suggestions[0].deltaQualityCi[0]).toBeGreaterThan(0);
    expect(report.body.review.unmatchedRules).toEqual(['financial_analysis']);
    expect(report.body.policyVersion).toBe('analysts@1');

    const listed = (await (await admin('/v1/optimizer/suggestions?status=open')).json()) as any;
    expect(listed.suggestions.map((s: any) => s.suggestionId)).toEqual([`${report.reportId}.1`]);
    suggestionId = listed.suggestions[0].suggestionId;
    // Reports and suggestions span tenants: a tenant's key is refused.
    const refused = await fetch(`${stack.get('rule-optimizer').baseUrl}/v1/optimizer/suggestions`, {
      headers: { authorization: `Bearer ${TENANT_KEYS.acme}` },
    });
    expect(refused.status).toBe(403);
    console.log(`suggestion ${suggestionId}: ${suggestions[0].summary}`);
  }, 60_000);

  it('shows the report page in headless Chromium: every chart has data, nothing errors, nothing leaves the host', async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `no Chromium at ${CHROMIUM}: apt-get install chromium (scripts/install.sh does), or set CHROMIUM_PATH`,
      );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking'],
    });
    const base = stack.get('rule-optimizer').baseUrl;
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    const elsewhere: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(base)) return route.continue();
      elsewhere.push(url);
      return route.abort();
    });

    // Without a key: the form asks for one, and the data stays behind the API.
    await page.goto(`${base}/report`);
    await page.waitForSelector('body[data-ready="error"]');
    expect(await page.isVisible('#login')).toBe(true);
    expect(await page.textContent('#error')).toMatch(/API key is required/);
    problems.length = 0; // the refused fetch's 401 is logged by the browser; that one was on purpose

    await page.fill('#key', ADMIN_KEY.value);
    await page.click('#key-form button');
    await page.waitForSelector('body[data-ready="true"]');
    const points = JSON.parse((await page.getAttribute('body', 'data-points')) ?? '{}');
    expect(points.spend).toBeGreaterThan(0);
    expect(points.tenants).toBeGreaterThan(0);
    expect(points.models).toBeGreaterThanOrEqual(2);
    expect(points.rules).toBeGreaterThanOrEqual(2);
    // Data points of each chart, as Chart.js holds them (a string: this file is not compiled for the DOM).
    const charts = (await page.evaluate(`[...document.querySelectorAll('canvas')].map((c) => {
      const chart = window.Chart.getChart(c);
      return chart ? chart.data.datasets.reduce((n, d) => n + d.data.length, 0) : 0;
    })`)) as number[];
    expect(charts).toHaveLength(4);
    expect(charts.every((n) => n > 0)).toBe(true);
    expect(await page.textContent('#suggestions')).toContain(`${suggestionId}`);
    expect(await page.textContent('#suggestions')).toContain('claude-3-sonnet → gpt-4o');
    await page.screenshot({ path: join(ARTIFACTS, 'report-page.png'), fullPage: true });
    expect(problems).toEqual([]);
    expect(elsewhere).toEqual([]);
  }, 60_000);

  it('prints the report and suggestions from the CLI, and writes the page as one file that works offline', async () => {
    const html = join(ARTIFACTS, 'report.html');
    const text = (await cli(['report', '--html', html])).stdout;
    expect(text).toMatch(/Suggestions \(1\)/);
    expect(text).toContain(`${suggestionId}  rule code_generation: claude-3-sonnet -> gpt-4o (better)`);
    const listed = (await cli(['suggestions'])).stdout;
    expect(listed).toContain(suggestionId);
    // A report that is not there fails with a line on stderr and, with --json, a document on stdout.
    const missing = await cli(['report', '--id', 'no-such-report', '--json']).then(
      () => ({ code: 0, stdout: '', stderr: '' }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no report no-such-report (switchyard report lists the newest)');
    expect(JSON.parse(missing.stdout)).toEqual({
      ok: false,
      exitCode: 1,
      error: 'no report no-such-report (switchyard report lists the newest)',
    });

    const page = await (browser as Browser).newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    await page.goto(`file://${html}`);
    await page.waitForSelector('body[data-ready="true"]');
    expect(JSON.parse((await page.getAttribute('body', 'data-points')) ?? '{}').models).toBeGreaterThanOrEqual(2);
    expect(requested.filter((u) => !u.startsWith('file://'))).toEqual([]);
    expect(problems).toEqual([]);
  }, 60_000);

  it('applies the suggestion as a canary: some callers get the candidate, the rest keep the current policy', async () => {
    // The policy came from a file, not from MongoDB: the CLI says to give it.
    await expect(cli(['policy', 'apply-suggestion', suggestionId])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/not stored in MongoDB.*--policy FILE/),
    });
    const outDir = join(dir, 'out');
    const applied = await cli([
      'policy',
      'apply-suggestion',
      suggestionId,
      '--policy',
      policyFile,
      '--percent',
      '50',
      '--sticky-by',
      'user',
      '--out',
      outDir,
    ]);
    expect(applied.stdout).toMatch(/canary running/);
    const candidateVersion = `analysts@1+${suggestionId}`;
    const seen = await waitFor(
      'both arms on the canary',
      async () => {
        const replies = await Promise.all(
          Array.from(
            { length: 40 },
            async (_, i) =>
              (await request(SUBJECTS.request, {
                user: `user-${i}`,
                messages: [{ role: 'user', content: 'Please implement a function that sorts numbers.' }],
              })) as ChatSuccess,
          ),
        );
        const arms = new Set(replies.map((r) => r.decision.canaryArm));
        return arms.has('candidate') && arms.has('control') ? replies : undefined;
      },
      20_000,
      300,
    );
    for (const r of seen.filter((x) => x.decision.method === 'rule')) {
      if (r.decision.canaryArm === 'candidate') {
        expect(r.decision.policyVersion).toBe(candidateVersion);
        expect(r.model).toBe('gpt-4o');
      } else expect(r.model).toBe('claude-3-sonnet');
    }
    const stored = await db.collection('suggestions').findOne({ _id: suggestionId as never });
    expect(stored).toMatchObject({ status: 'applied', applied: { canaryPercent: 50 } });
    await expect(cli(['policy', 'apply-suggestion', suggestionId, '--policy', policyFile])).rejects.toMatchObject({
      stderr: expect.stringMatching(/applied already/),
    });
  }, 90_000);
});
