// The counter service of examples/dbus-counter.ipcs in JavaScript: org.example.Counter at
// /org/example/Counter with Add (i → i), a Count property and a Changed signal; Quit ends it.
// The bus object's methods are the dbus builtins with the bus first: bus.export is ipc.dbusExport(bus, …),
// and await bus.call(…) is the Promise form of dbus-call.
//
//   ipcsh examples/js/dbus-counter.js [BUS-ADDRESS]      # default: the session bus
//
// Try: busctl --user call org.example.Counter /org/example/Counter org.example.Counter Add i 5
const [address] = ipc.args;
const bus = address ? ipc.dbus(address) : ipc.dbus();
const path = '/org/example/Counter', iface = 'org.example.Counter';
let count = 0;

bus.export(path, iface, {
  Add: { in: 'i', out: 'i', error: 'org.example.Counter.Error.Negative', fn: (n) => {
    if (count + n < 0) throw new Error(`the count cannot go below 0 (it is ${count})`);
    count += n;
    bus.emit(path, iface, 'Changed', count);
    return count;
  } },
  Quit: { fn: () => { ipc.after(0, () => bus.close()); } },
}, { properties: { Count: { type: 'i', get: () => count } }, signals: { Changed: 'i' } });

bus.requestName('org.example.Counter');
const names = await bus.call('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus', 'ListNames');
console.log(`serving org.example.Counter among ${names.length} names`);
