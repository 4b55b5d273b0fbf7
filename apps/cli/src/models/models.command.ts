import { RouterModelRepository, type RouterModelEntity, mongoConnectOptions } from '@switchyard/persistence';
import mongoose from 'mongoose';
import type { CliContext } from '../program/cli-context';

export interface ModelsListOptions {
  mongoUri: string;
  limit: number;
  json: boolean;
}

/**
 * `switchyard models list`: the learned routers of the model store, newest first, with their status (a
 * candidate waiting for its canary, promoted, or rejected and why), when and by what they were made, and
 * their size. The versions a policy names with `learned: { model: VERSION }`.
 */
export async function runModelsList(opts: ModelsListOptions, ctx: CliContext): Promise<number> {
  const found = await withStore(opts.mongoUri, (store) => store.list(opts.limit));
  if (opts.json) {
    ctx.printJson(found.map(summary));
    return 0;
  }
  if (found.length === 0) {
    ctx.out(
      'no learned routers in the model store (npx switchyard train --dataset FILE --publish stores one; the nightly retraining stores what it releases)',
    );
    return 0;
  }
  const rows = found.map((m) => [
    m.version,
    m.status,
    m.createdAt.toISOString().slice(0, 16).replace('T', ' '),
    megabytes(m.compressedBytes),
    m.source + (m.statusNote ? ` (${m.statusNote})` : ''),
  ]);
  const header = ['version', 'status', 'created (UTC)', 'stored', 'made by'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const row of [header, ...rows])
    ctx.out(
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    );
  ctx.out(
    '\na policy serves one with learned: { model: VERSION } (npx switchyard models show VERSION for its training)',
  );
  return 0;
}

export interface ModelsShowOptions {
  mongoUri: string;
  version: string;
  json: boolean;
}

/** `switchyard models show VERSION`: one stored router's metadata, how it was trained and how it did. */
export async function runModelsShow(opts: ModelsShowOptions, ctx: CliContext): Promise<number> {
  const found = await withStore(opts.mongoUri, (store) => store.find(opts.version));
  if (!found) {
    ctx.err(`no learned router ${opts.version} in the model store (npx switchyard models list shows the versions)`);
    if (opts.json) ctx.printJson({ ok: false, exitCode: 1, error: `no learned router ${opts.version}` });
    return 1;
  }
  if (opts.json) {
    ctx.printJson({ ...summary(found), training: found.training, evaluation: found.evaluation });
    return 0;
  }
  ctx.out(`${found.version}: ${found.status}${found.statusNote ? ` (${found.statusNote})` : ''}`);
  ctx.out(`made ${found.createdAt.toISOString()} by ${found.source}`);
  ctx.out(
    `stored ${megabytes(found.compressedBytes)} gzipped (${megabytes(found.bytes)} of JSON) in ${found.chunks} chunks, sha256 ${found.sha256}`,
  );
  for (const [name, value] of [
    ['training', found.training],
    ['evaluation', found.evaluation],
  ] as const)
    ctx.out(`${name}: ${value === undefined ? '(none recorded)' : JSON.stringify(value, null, 2)}`);
  return 0;
}

function summary(m: RouterModelEntity) {
  return {
    version: m.version,
    status: m.status,
    ...(m.statusNote ? { statusNote: m.statusNote } : {}),
    createdAt: m.createdAt.toISOString(),
    source: m.source,
    bytes: m.bytes,
    compressedBytes: m.compressedBytes,
    chunks: m.chunks,
    sha256: m.sha256,
  };
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 1e5 ? 3 : 1)} MB`;
}

async function withStore<T>(uri: string, read: (store: RouterModelRepository) => Promise<T>): Promise<T> {
  const db = await mongoose.createConnection(uri, mongoConnectOptions(uri)).asPromise();
  try {
    return await read(new RouterModelRepository(db));
  } finally {
    await db.close();
  }
}
