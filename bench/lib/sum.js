// bench js-compute: sum 1..50M in a plain loop; runs under ipcsh (interpreter or --js-jit) and node.
// prints: ms=T sum=S
const n = 50_000_000;
const t0 = performance.now();
let s = 0;
for (let i = 1; i <= n; i++) s += i;
const ms = performance.now() - t0;
console.log(`ms=${ms} sum=${s}`);
