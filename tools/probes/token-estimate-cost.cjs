#!/usr/bin/env node
// What the token estimate by script (libs/contracts estimateTokens, on every decision) costs against the
// estimate before it (one token per Han character, a quarter per other code unit), side by side: every
// prompt of a routing dataset (the first 3,000), one pass of each to warm up, then five rounds of ten
// passes. The two functions are copies of libs/contracts' (plain node runs no TypeScript): keep them in
// step.
//
//   node tools/probes/token-estimate-cost.cjs ../shared/datasets/mmlu-pro/mmlu-pro-routing.jsonl
const { readFileSync } = require('node:fs');

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: token-estimate-cost.cjs DATASET.jsonl\n');
  process.exit(2);
}
const prompts = readFileSync(file, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .slice(0, 3000)
  .map((l) => JSON.parse(l).prompt);

const HAN = /\p{Script=Han}/gu;
function before(text) {
  const han = text.match(HAN)?.length ?? 0;
  return Math.ceil(han + (text.length - han) / 4);
}

const BEYOND_ASCII = /[\u0080-\uffff]/;
const TOKEN_WEIGHTS = new Uint8Array(0x10000);
const HAN_ONE = /^\p{Script=Han}$/u;
const KANA_OR_HANGUL_ONE = /^[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]$/u;
const SOUTHEAST_ASIAN_ONE = /^[\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]$/u;
const LATIN_ONE = /^\p{Script=Latin}$/u;
const LETTER_ONE = /^[\p{L}\p{M}]$/u;
function tokenWeight(c) {
  if (c >= 0xd800 && c <= 0xdbff) return 15;
  if (c >= 0xdc00 && c <= 0xdfff) return 5;
  const one = String.fromCharCode(c);
  if (HAN_ONE.test(one)) return 20;
  if (KANA_OR_HANGUL_ONE.test(one)) return 16;
  if (SOUTHEAST_ASIAN_ONE.test(one)) return 10;
  if (LATIN_ONE.test(one)) return 15;
  if (LETTER_ONE.test(one)) return 8;
  return 5;
}
function now(text) {
  if (!BEYOND_ASCII.test(text)) return Math.ceil(text.length / 4);
  let twentieths = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) twentieths += 5;
    else {
      let w = TOKEN_WEIGHTS[c];
      if (w === 0) w = TOKEN_WEIGHTS[c] = tokenWeight(c);
      twentieths += w;
    }
  }
  return Math.ceil(twentieths / 20);
}

const beyond = prompts.filter((p) => BEYOND_ASCII.test(p)).length;
process.stdout.write(`${prompts.length} prompts of ${file}, ${beyond} with a character beyond ASCII\n`);
for (const p of prompts) before(p) + now(p); // warm-up: compiled, and the table learnt
for (let round = 1; round <= 5; round++) {
  const line = [];
  for (const [name, estimate] of [
    ['before', before],
    ['now', now],
  ]) {
    let tokens = 0;
    const started = process.hrtime.bigint();
    for (let pass = 0; pass < 10; pass++) for (const p of prompts) tokens += estimate(p);
    const us = Number(process.hrtime.bigint() - started) / 1e3 / (10 * prompts.length);
    line.push(`${name} ${us.toFixed(2)} µs a prompt (${tokens / 10} tokens in all)`);
  }
  process.stdout.write(`round ${round}: ${line.join('; ')}\n`);
}
