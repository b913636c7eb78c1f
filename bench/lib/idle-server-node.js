// bench idle-rss: idle-server.ipcs in node: a line echo server on a unix socket, one 'data'
// handler per connection; the line "count" is answered with the number of open connections.
// usage: node idle-server-node.js PATH      (serves until killed)
const net = require('net');
let conns = 0;
net.createServer((c) => {
  conns++;
  let buf = '';
  c.on('data', (d) => {
    const lines = (buf + d).split('\n');
    buf = lines.pop();
    for (const line of lines) c.write((line === 'count' ? String(conns) : line) + '\n');
  });
  c.on('close', () => conns--);
}).listen(process.argv[2]);
