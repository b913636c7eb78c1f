// A producer: writes N numbered lines into a FIFO for any consumer (consumer.js, a Clojure
// script, `cat`) to read.
//
//   ipcsh examples/js/producer.js /tmp/demo.fifo 100000
//
// Creates the FIFO when it is missing, waits for a reader to open it, writes the lines with
// full buffering (one write per 64 KiB) and closes it, so the reader sees end of stream.
const [path, count = '10'] = ipc.args;
if (!path) {
  console.error('usage: ipcsh producer.js FIFO [COUNT]');
  ipc.exit(2);
}
const n = Number(count);
const out = ipc.fifo(path, 'write', { buffering: 'full' });
for (let i = 0; i < n; i++) out.puts(`message ${i}`);
out.close();
console.log(`sent ${n} messages to ${path}`);
