// bench latency from JS: the same ping-pong as latency.ipcs with synchronous ch.puts()/ch.gets().
// usage: ipcsh latency.js PATH WARM BATCHES ROUNDS     prints: median_us=X
const [path, warmS, batchesS, roundsS] = ipc.args;
const warm = Number(warmS), batches = Number(batchesS), rounds = Number(roundsS);
const ch = ipc.connect('unix', path, { buffering: 'line' });
const msg = 'x'.repeat(63);
for (let i = 0; i < warm; i++) { ch.puts(msg); ch.gets(); }
const per = [];
for (let b = 0; b < batches; b++) {
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) { ch.puts(msg); ch.gets(); }
  per.push((performance.now() - t0) * 1000 / rounds);
}
per.sort((a, b) => a - b);
ch.close();
console.log(`median_us=${per[Math.floor(batches / 2)]}`);
