// An echo server on a unix socket: every line a client sends comes back to it. Each
// connection is served by its own async loop over ch.lines(); they interleave on the one
// interpreter thread.
//
//   ipcsh examples/js/echo-server.js /tmp/echo.sock        # serves until Ctrl-C
//   ipcsh examples/js/echo-server.js /tmp/echo.sock 3      # stops after 3 clients
//
// Try it with: python3 -c 'import socket; s = socket.socket(socket.AF_UNIX);
//   s.connect("/tmp/echo.sock"); s.sendall(b"hi\n"); print(s.recv(100))'
const [path, maxClients] = ipc.args;
if (!path) {
  console.error('usage: ipcsh echo-server.js SOCKET [MAX-CLIENTS]');
  ipc.exit(2);
}
let served = 0;
const server = ipc.listen('unix', path, async (client) => {
  let lines = 0;
  for await (const line of client.lines()) {
    client.puts(line);
    lines++;
  }
  client.close();
  served++;
  console.log(`client ${served} done: echoed ${lines} lines`);
  if (maxClients && served >= Number(maxClients)) server.close();
});
console.log(`echoing on ${path}`);
