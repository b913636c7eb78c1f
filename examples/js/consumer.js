// A consumer: reads lines from a FIFO as they come, with `for await`, and checks that none is
// lost or out of order (the producer writes "message 0", "message 1", ...).
//
//   ipcsh examples/js/consumer.js /tmp/demo.fifo
//
// Creates the FIFO when it is missing and waits for a writer (producer.js, or
// `seq 0 9 | sed 's/^/message /' > /tmp/demo.fifo`).
const [path] = ipc.args;
if (!path) {
  console.error('usage: ipcsh consumer.js FIFO');
  ipc.exit(2);
}
const input = ipc.fifo(path, 'read');
let received = 0;
let outOfOrder = 0;
for await (const line of input.lines()) {
  if (line !== `message ${received}`) outOfOrder++;
  received++;
}
input.close();
console.log(`received ${received} messages, ${outOfOrder} out of order`);
if (outOfOrder > 0) ipc.exit(1);
