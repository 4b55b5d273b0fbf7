import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ConnectionOptions, connect } from '@nats-io/transport-node';
import { CHART_FILE, type OptimizerReportBody, staticReportPage } from '@switchyard/analytics';
import { readPackageFile } from '@switchyard/runtime';
import { type OptimizerRunAccepted, SUBJECTS } from '@switchyard/contracts';
import {
  mongoConnectOptions,
  type OptimizerReportEntity,
  OptimizerReportRepository,
  SuggestionRepository,
  type SuggestionStatus,
} from '@switchyard/persistence';
import mongoose from 'mongoose';
import { formatReport, formatSuggestion } from './format-report';
import { requestService } from '../nats-request';

const out = (line = '') => process.stdout.write(`${line}\n`);
const REPORT_KIND = 'optimizer';

export interface ReportOptions {
  mongoUri: string;
  /** A report by id; the newest when left out. */
  id?: string;
  json: boolean;
  /** Also write the report as one self-contained HTML file here. */
  html?: string;
  /** Ask rule-optimizer for a run first (as the operator, over NATS) and wait for its report. */
  run?: { nats: ConnectionOptions; days?: number; timeoutMs: number };
}

/** `switchyard report`: the optimizer's report, as text, JSON or an HTML file. */
export async function runReport(opts: ReportOptions): Promise<number> {
  const db = await mongoose.createConnection(opts.mongoUri, mongoConnectOptions(opts.mongoUri)).asPromise();
  try {
    const reports = new OptimizerReportRepository(db);
    let id = opts.id;
    if (opts.run) id = await requestRun(reports, opts.run);
    const report = id ? await reports.findByReportId(id) : await reports.latest(REPORT_KIND);
    // Thrown, not returned: the CLI says it on stderr and, with --json, as a document on stdout too.
    if (!report)
      throw new Error(
        id
          ? `no report ${id} (switchyard report lists the newest)`
          : 'no optimizer report yet: the nightly run makes one, or ask for one now with switchyard report --run',
      );
    if (opts.html) {
      const file = resolve(opts.html);
      writeFileSync(file, staticReportPage(report, readPackageFile('chart.js', CHART_FILE)));
      process.stderr.write(`report ${report.reportId} written to ${file} (one file: open it in any browser)\n`);
    }
    out(
      opts.json
        ? JSON.stringify(report, null, 2)
        : formatReport(report as OptimizerReportEntity & { body: OptimizerReportBody }),
    );
    return 0;
  } finally {
    await db.close();
  }
}

async function requestRun(reports: OptimizerReportRepository, run: NonNullable<ReportOptions['run']>): Promise<string> {
  const nc = await connect(run.nats);
  let accepted: OptimizerRunAccepted;
  try {
    const reply = await requestService(
      nc,
      'rule-optimizer',
      SUBJECTS.optimizerRunRequested,
      JSON.stringify({ job: 'optimize', days: run.days }),
      {
        timeout: 10_000,
      },
    );
    const body = reply.json<OptimizerRunAccepted | { ok: false; error: { message: string } }>();
    if (!body.ok) throw new Error(`rule-optimizer refused the run: ${body.error.message}`);
    accepted = body;
  } finally {
    await nc.close();
  }
  process.stderr.write(`optimizer run ${accepted.jobId} queued; waiting for its report`);
  const deadline = Date.now() + run.timeoutMs;
  for (;;) {
    const recent = await reports.list(REPORT_KIND, 20);
    const mine = recent.find((r) => r.reportId.startsWith(`${accepted.jobId}@`));
    if (mine) {
      process.stderr.write(' done\n');
      return mine.reportId;
    }
    if (Date.now() > deadline)
      throw new Error(
        `no report from run ${accepted.jobId} after ${run.timeoutMs / 1000} s (is rule-optimizer running? newest report: ${recent[0]?.reportId ?? 'none'})`,
      );
    process.stderr.write('.');
    await sleep(500);
  }
}

export interface SuggestionsOptions {
  mongoUri: string;
  status: SuggestionStatus | 'all';
  json: boolean;
  limit: number;
}

/** `switchyard suggestions`: the rule review's suggestions (open ones by default), newest first. */
export async function runSuggestions(opts: SuggestionsOptions): Promise<number> {
  const db = await mongoose.createConnection(opts.mongoUri, mongoConnectOptions(opts.mongoUri)).asPromise();
  try {
    const found = await new SuggestionRepository(db).list({
      status: opts.status === 'all' ? undefined : opts.status,
      limit: opts.limit,
    });
    if (opts.json) out(JSON.stringify(found, null, 2));
    else if (found.length === 0)
      out(
        `no ${opts.status === 'all' ? '' : `${opts.status} `}suggestions (they come with each optimizer run: switchyard report --run)`,
      );
    else {
      for (const s of found) out(formatSuggestion(s));
      if (opts.status === 'open')
        out('\napply one through the canary: switchyard policy apply-suggestion ID [--percent 10]');
    }
    return 0;
  } finally {
    await db.close();
  }
}
