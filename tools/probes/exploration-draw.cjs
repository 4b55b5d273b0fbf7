// What a decision pays for exploration draws seeded by tenant and request id (libs/routing explorationDraws,
// used by decision-engine for every decision) against Math.random, side by side, 1,000,000 each, five rounds.
// The three functions are copies of libs/routing's textHashUnit, mulberry32 and explorationDraws (plain node runs
// no TypeScript): keep them in step. Run: node tools/probes/exploration-draw.cjs
function textHashUnit(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) / 4294967296;
}
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const explorationDraws = (tenant, id) =>
  mulberry32(Math.floor(textHashUnit(`explore\u0000${tenant}\u0000${id}`) * 2 ** 32));
const n = 1_000_000;
let sink = 0;
const ids = Array.from({ length: 1000 }, (_, i) => `8ffa6632-8650-408a-93db-${String(i).padStart(12, '0')}`);
for (let r = 0; r < 5; r++) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink += explorationDraws('acme', ids[i % 1000])();
  const t1 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink += Math.random();
  const t2 = process.hrtime.bigint();
  console.log(
    `seeded draw ${(Number(t1 - t0) / n).toFixed(0)} ns/request, Math.random ${(Number(t2 - t1) / n).toFixed(0)} ns`,
  );
}
if (sink < 0) console.log(sink);
