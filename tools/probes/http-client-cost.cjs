#!/usr/bin/env node
// What one provider call costs the caller: fetch (undici) against node:http with a keep-alive agent, side by
// side against an instant local server answering a chat completion, round after round. Prints wall time and
// CPU per call (this process: client and server both, the server's share being the same for both).
//
//   node tools/probes/http-client-cost.cjs [--rounds 3] [--calls 3000]
const http = require('node:http');

const args = process.argv.slice(2);
const flag = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const rounds = flag('--rounds', 3);
const calls = flag('--calls', 3000);

const answer = JSON.stringify({
  id: 'x',
  object: 'chat.completion',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hello there '.repeat(20) }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 },
});
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(answer));
});

server.listen(0, '127.0.0.1', async () => {
  const url = `http://127.0.0.1:${server.address().port}/v1/chat/completions`;
  const payload = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
  const headers = { 'content-type': 'application/json', authorization: 'Bearer x' };
  const agent = new http.Agent({ keepAlive: true });
  const viaFetch = async () => {
    const res = await fetch(url, { method: 'POST', headers, body: payload, signal: AbortSignal.timeout(5000) });
    return JSON.parse(await res.text());
  };
  const viaHttp = () =>
    new Promise((resolve, reject) => {
      const req = http.request(
        url,
        {
          method: 'POST',
          agent,
          headers: { ...headers, 'content-length': Buffer.byteLength(payload) },
          signal: AbortSignal.timeout(5000),
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  const measure = async (name, call) => {
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < calls; i++) await call();
    const used = process.cpuUsage(cpu);
    const wall = ((performance.now() - started) * 1000) / calls;
    process.stdout.write(
      `${name.padEnd(10)} wall ${wall.toFixed(0).padStart(5)} us/call  CPU ${((used.user + used.system) / calls).toFixed(0).padStart(5)} us/call\n`,
    );
  };
  process.stdout.write(`${calls} calls per run, ${rounds} round(s), client and server in this process\n`);
  for (let r = 0; r < rounds; r++) {
    await measure('fetch', viaFetch);
    await measure('node:http', viaHttp);
  }
  agent.destroy();
  server.close();
});
