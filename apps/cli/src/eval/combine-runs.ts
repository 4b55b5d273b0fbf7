import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type FoldResult, type GeneralisationCheck, reportGeneralisation } from './generalisation-report';

/** What `--combine` reads of a finished run's results.json. */
interface RunFile {
  file: string;
  header: Record<string, unknown>;
  check: GeneralisationCheck;
  seed: number;
  folds: FoldResult[];
}

/** Fields that differ between runs of the same check at other seeds, or that the combination recomputes. */
const PER_RUN = new Set(['seed', 'repeat', 'check', 'folds', 'byFold', 'summary', 'combinedFrom']);

/** A run's results.json, or an error naming the file and what is wrong with it. */
function readRun(dir: string): RunFile {
  const file = join(dir, 'results.json');
  if (!existsSync(file))
    throw new Error(`${file}: not found (a finished eval --cv task or --train-size run writes it)`);
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${file}: not JSON (${(err as Error).message})`);
  }
  const { check, seed, folds } = doc;
  if (check !== 'leave-one-task-out' && check !== 'train-size')
    throw new Error(
      `${file}: ${typeof check === 'string' ? `a ${check} run` : 'not a generalisation check'}; --combine takes runs of --cv task or --train-size`,
    );
  if (typeof seed !== 'number' || !Array.isArray(folds) || folds.length === 0)
    throw new Error(`${file}: no seed or no folds`);
  const bad = folds.findIndex(
    (f: Partial<FoldResult>) =>
      typeof f?.fold !== 'string' || typeof f.learned !== 'object' || typeof f.baseline !== 'object',
  );
  if (bad >= 0) throw new Error(`${file}: fold ${bad + 1} has no fold name, learned or baseline figures`);
  const header = Object.fromEntries(Object.entries(doc).filter(([k]) => !PER_RUN.has(k)));
  // A run at one seed keeps it at the top; a run of several keeps it on each fold.
  const seeded = (folds as FoldResult[]).map((f) => ({ ...f, seed: typeof f.seed === 'number' ? f.seed : seed }));
  return { file, header, check, seed, folds: seeded };
}

/**
 * `switchyard eval --combine DIR...`: runs of the same check (`--cv task` or `--train-size`, same data, split
 * and settings) made apart at other seeds, as `--repeat` would have reported them in one run: every fold at
 * every seed, each fold's mean and spread over them. The seeds of a check are independent, so they can run
 * side by side (one process per core) and be read together here.
 */
export async function runCombine(dirs: string[], outDir: string): Promise<number> {
  const started = Date.now();
  const into = dirs.find((d) => resolve(d) === resolve(outDir));
  if (into !== undefined)
    throw new Error(`--out ${outDir} is one of the runs read: give another folder, so that ${into}'s results stay`);
  const runs = dirs.map(readRun);
  const [first] = runs;
  const sameAs = (r: RunFile) => JSON.stringify(sortedKeys(r.header)) === JSON.stringify(sortedKeys(first.header));
  for (const r of runs.slice(1)) {
    if (r.check !== first.check) throw new Error(`${r.file}: a ${r.check} run; ${first.file} is a ${first.check} run`);
    if (!sameAs(r)) {
      const keys = new Set([...Object.keys(r.header), ...Object.keys(first.header)]);
      const differ = [...keys].filter((k) => JSON.stringify(r.header[k]) !== JSON.stringify(first.header[k]));
      throw new Error(`${r.file}: not the same check as ${first.file} (they differ in ${differ.join(', ')})`);
    }
  }
  const seen = new Map<string, string>();
  for (const r of runs)
    for (const f of r.folds) {
      const key = `${f.fold}\u0000${f.seed}`;
      const other = seen.get(key);
      if (other !== undefined)
        throw new Error(`fold "${f.fold}" at seed ${f.seed} is in both ${other} and ${r.file}: give each seed once`);
      seen.set(key, r.file);
    }
  const results = runs.flatMap((r) => r.folds).sort((a, b) => a.seed - b.seed);
  const seeds = [...new Set(results.map((f) => f.seed))];
  if (seeds.length < 2) throw new Error(`every run given is at seed ${seeds[0]}: --combine takes 2 or more seeds`);
  const names = (seed: number) => results.filter((f) => f.seed === seed).map((f) => f.fold);
  const expected = JSON.stringify(names(seeds[0]));
  const short = seeds.find((s) => JSON.stringify(names(s)) !== expected);
  if (short !== undefined)
    throw new Error(`seed ${short} does not have the folds of seed ${seeds[0]} (${JSON.parse(expected).join(', ')})`);
  process.stdout.write(
    `combined ${runs.length} runs (${dirs.join(', ')}): ${names(seeds[0]).length} folds at seeds ${seeds.join(', ')}\n`,
  );
  return reportGeneralisation({
    out: outDir,
    header: { ...first.header, seed: seeds[0], repeat: seeds.length, combinedFrom: dirs },
    check: first.check,
    severalSeeds: true,
    results,
    started,
  });
}

function sortedKeys(o: Record<string, unknown>): Array<[string, unknown]> {
  return Object.entries(o).sort(([a], [b]) => a.localeCompare(b));
}
