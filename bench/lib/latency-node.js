// bench latency from node: the same ping-pong with the net module (event driven, as node is).
// usage: node latency-node.js PATH WARM BATCHES ROUNDS     prints: median_us=X
const net = require('net');
const [path, warm, batches, rounds] = [process.argv[2], ...process.argv.slice(3, 6).map(Number)];
const msg = 'x'.repeat(63) + '\n';
const per = [];
let done = 0, batch = -1, t0 = 0n, pending = '';
const s = net.createConnection(path, () => { s.setNoDelay?.(true); s.write(msg); });
s.setEncoding('latin1');
s.on('data', (d) => {
  pending += d;
  if (!pending.endsWith('\n')) return;
  pending = '';
  done++;
  if (batch < 0 && done === warm) { batch = 0; done = 0; t0 = process.hrtime.bigint(); }
  else if (batch >= 0 && done === rounds) {
    const t = process.hrtime.bigint();
    per.push(Number(t - t0) / 1e3 / rounds);
    batch++; done = 0; t0 = t;
    if (batch === batches) {
      per.sort((a, b) => a - b);
      console.log(`median_us=${per[Math.floor(batches / 2)]}`);
      s.end();
      return;
    }
  }
  s.write(msg);
});
