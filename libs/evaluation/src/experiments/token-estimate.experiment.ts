// Measured (docs/benchmarks.md, "Token estimates by script"): how far `estimateTokens` (the estimate every
// decision prices candidates with, and checks context windows by until a prompt nears one) is from
// o200k_base's count, per language, on real translated text: the messages of the machine's gettext
// catalogues (/usr/share/locale/LANG/LC_MESSAGES/*.mo, up to 4,000 strings of over 20 characters each per
// language), against the estimate before it (one token per Han character, a quarter per other code unit).
// Not part of `npm test` (it reads files of the machine, not of the repository); run it with:
//
//   LANGS=en@quot,de,fr,es,vi,ru,uk,el,he,ar,hi,bn,ta,th,ko,ja,zh_CN \
//     npx jest -c libs/evaluation/jest.config.js --testMatch '**/experiments/token-estimate.experiment.ts'
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { estimateTokens } from '@switchyard/contracts';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';

jest.setTimeout(600_000);

/** The translated strings of a gettext .mo file. */
function translations(file: string): string[] {
  const b = readFileSync(file);
  const little = b.readUInt32LE(0) === 0x950412de;
  const u32 = (at: number) => (little ? b.readUInt32LE(at) : b.readUInt32BE(at));
  const count = u32(8);
  const table = u32(16);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const length = u32(table + 8 * i);
    const at = u32(table + 8 * i + 4);
    out.push(b.subarray(at, at + length).toString('utf8'));
  }
  return out;
}

function before(text: string): number {
  const han = text.match(/\p{Script=Han}/gu)?.length ?? 0;
  return Math.ceil(han + (text.length - han) / 4);
}

it('prints the estimate against o200k_base per language, before and now', () => {
  const root = process.env['LOCALE_DIR'] ?? '/usr/share/locale';
  const langs = (process.env['LANGS'] ?? 'en@quot,de,fr,es,vi,ru,uk,el,he,ar,hi,bn,ta,th,ko,ja,zh_CN').split(',');
  const asText = { disallowedSpecial: new Set<string>() };
  for (const lang of langs) {
    const dir = join(root, lang, 'LC_MESSAGES');
    const texts: string[] = [];
    for (const name of readdirSync(dir).sort()) {
      if (!name.endsWith('.mo')) continue;
      for (const t of translations(join(dir, name)))
        if (t.length > 20 && !t.includes('Content-Type:') && texts.length < 4000) texts.push(t);
    }
    let exact = 0;
    let old = 0;
    let now = 0;
    const ratios: number[] = [];
    for (const t of texts) {
      const n = countTokens(t, asText);
      exact += n;
      old += before(t);
      const e = estimateTokens(t);
      now += e;
      ratios.push(e / n);
    }
    ratios.sort((a, b) => a - b);
    const q = (p: number) => ratios[Math.floor(p * (ratios.length - 1))].toFixed(2);
    process.stdout.write(
      `${lang}: ${texts.length} strings, o200k ${exact} tokens; estimate before ${(old / exact).toFixed(2)}x, now ${(now / exact).toFixed(2)}x (per string: p10 ${q(0.1)}, median ${q(0.5)}, p90 ${q(0.9)})\n`,
    );
  }
});
