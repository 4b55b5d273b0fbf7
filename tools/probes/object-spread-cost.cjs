// What building an object with two spreads in one literal costs on this Node against plain stores, side by
// side, five rounds: V8 copies the first spread on its fast path and the second on a slow one (and the
// result can end up a slow-mode object, dearer to read and serialise); so does a spread followed by new
// fields. Cases from the request path: decide-route's option owner (`{ ...owner, ...o }`), a message's
// request fields (two conditional spreads), and a hop's event copied with its own fields added (what
// `extend` in @switchyard/contracts does with Object.assign). Run: node tools/probes/object-spread-cost.cjs
const owner = { band: 'economy' };
const options = Array.from({ length: 1000 }, (_, i) =>
  i % 2
    ? { model: `m${i}`, method: 'fallback', reason: 'fallback order', params: {} }
    : { model: `m${i}`, method: 'rule', reason: 'rule "x" matched', params: {}, rule: 'x' },
);
const payloads = Array.from({ length: 1000 }, (_, i) => ({ requestId: `r${i}`, tenant: 't', x: 1 }));
// Parsed events, as a hop receives them (one shape, from JSON).
const event = JSON.stringify({ requestId: 'r', tenant: 't', receivedAt: 1, request: { messages: [] }, features: {} });
const events = Array.from({ length: 1000 }, () => JSON.parse(event));
const decision = { model: 'm', method: 'rule', reason: 'x' };

const cases = {
  'option owner: { ...owner, ...o }': [options, (o) => ({ ...owner, ...o })],
  'option owner: Object.assign + store': [
    options,
    (o) => {
      const copy = Object.assign({}, o);
      if (copy.band === undefined) copy.band = owner.band;
      return copy;
    },
  ],
  'request fields: two conditional spreads': [
    payloads,
    ({ requestId, tenant }) => ({
      ...(typeof requestId === 'string' ? { requestId } : {}),
      ...(typeof tenant === 'string' ? { tenant } : {}),
    }),
  ],
  'request fields: plain stores': [
    payloads,
    ({ requestId, tenant }) => {
      const fields = {};
      if (typeof requestId === 'string') fields.requestId = requestId;
      if (typeof tenant === 'string') fields.tenant = tenant;
      return fields;
    },
  ],
  'event copy: { ...event, decision, decidedAt }': [events, (e) => ({ ...e, decision, decidedAt: 1 })],
  'event copy: Object.assign({}, event, { decision, decidedAt })': [
    events,
    (e) => Object.assign({}, e, { decision, decidedAt: 1 }),
  ],
};

let sink = 0;
for (let round = 1; round <= 5; round++) {
  const line = [];
  for (const [name, [inputs, build]] of Object.entries(cases)) {
    const t0 = process.hrtime.bigint();
    for (let r = 0; r < 500; r++)
      for (const input of inputs) {
        const o = build(input);
        sink += o.model !== undefined || o.tenant !== undefined || o.decision !== undefined ? 1 : 0;
      }
    line.push(`${name} ${(Number(process.hrtime.bigint() - t0) / (500 * inputs.length)).toFixed(0)} ns`);
  }
  console.log(`round ${round}: ${line.join('; ')}`);
}
if (sink === 0) console.log('(nothing built)');
