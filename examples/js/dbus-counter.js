// The counter service of examples/dbus-counter.ipcs in JavaScript: org.example.Counter at
// /org/example/Counter with Add (i → i), a Count property and a Changed signal; Quit ends it.
// It first asks the bus who else is there, with the Promise form of dbus-call.
//
//   ipcsh examples/js/dbus-counter.js [BUS-ADDRESS]      # default: the session bus
//
// Try: busctl --user call org.example.Counter /org/example/Counter org.example.Counter Add i 5
const [address] = ipc.args;
const bus = address ? ipc.dbus(address) : ipc.dbus();
const path = '/org/example/Counter', iface = 'org.example.Counter';
let count = 0;

ipc.dbusExport(bus, path, iface, {
  Add: { in: 'i', out: 'i', error: 'org.example.Counter.Error.Negative', fn: (n) => {
    if (count + n < 0) throw new Error(`the count cannot go below 0 (it is ${count})`);
    count += n;
    ipc.dbusEmit(bus, path, iface, 'Changed', count);
    return count;
  } },
  Quit: { fn: () => { ipc.after(0, () => ipc.close(bus)); } },
}, { properties: { Count: { type: 'i', get: () => count } }, signals: { Changed: 'i' } });

ipc.dbusRequestName(bus, 'org.example.Counter');
const names = await ipc.dbusCall(bus, 'org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus', 'ListNames');
console.log(`serving org.example.Counter among ${names.length} names`);
