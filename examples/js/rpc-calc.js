// A JSON-RPC server and its client in one script, with Promises: rpcServe answers on a
// unix socket (a handler may be async), ipc.rpc wraps a connection, and peer.call returns a
// Promise, so many calls may be outstanding at once; an error reply rejects with code,
// message and data.
//
//   ipcsh examples/js/rpc-calc.js /tmp/calc.sock
const [path] = ipc.args;
if (!path) {
  console.error('usage: ipcsh rpc-calc.js SOCKET');
  ipc.exit(2);
}
const server = ipc.rpcServe({ listen: path }, {
  add: ([a, b]) => a + b,
  slowSquare: async ([x]) => { await ipc.sleep(10); return x * x; },
  div: ([a, b]) => {
    if (b === 0) throw Object.assign(new Error('division by zero'), { code: -32001, data: { dividend: a } });
    return a / b;
  },
});
const calc = ipc.rpc(ipc.connect('unix', path));
console.log('2 + 3 =', await calc.call('add', [2, 3]));
const squares = await Promise.all([1, 2, 3, 4, 5].map(x => calc.call('slowSquare', [x])));
console.log('squares:', squares.join(' '));
try {
  await calc.call('div', [1, 0]);
} catch (e) {
  console.log('div failed:', e.code, e.message.split(': ').pop(), JSON.stringify(e.data));
}
calc.close();
ipc.close(server);
