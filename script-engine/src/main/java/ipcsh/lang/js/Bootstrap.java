package ipcsh.lang.js;

/**
 * The JavaScript half of the binding, evaluated once per context as an internal source (its
 * frames never show in user traces). It builds the global {@code ipc} object and the Channel
 * prototype from the registry list the Java half passes in, and the timer globals; it returns
 * the few helpers the Java half needs to make JS values.
 */
final class Bootstrap {
    private Bootstrap() {}

    static final String NAME = "ipcsh-bootstrap.js";

    static final String SOURCE = """
            (function (bridge, builtins) {
              'use strict';
              const HANDLE = '__channel';
              const IDENT = /^[A-Za-z_$][\\w$]*$/;
              // js.shell gives the one exit JS cannot catch; its other globals (stdin readers) go
              const quit = globalThis.quit;
              for (const n of ['quit', 'read', 'readbuffer', 'readline']) delete globalThis[n];

              function makeError(message, type, data) {
                const e = new Error(message);
                Object.defineProperty(e, 'name', { value: 'IpcError', enumerable: false, writable: true, configurable: true });
                if (data) for (const k of Object.keys(data)) e[k] = data[k];
                e.type = type;
                return e;
              }

              /** An async iterable over next(): each value it promises, until null. */
              function iterate(next) {
                return {
                  [Symbol.asyncIterator]() { return this; },
                  next() {
                    return next().then(v => v === null ? { done: true, value: undefined } : { done: false, value: v });
                  },
                  return() { return Promise.resolve({ done: true, value: undefined }); }
                };
              }

              /** A channel: the registry's channel verbs are its methods (ch.gets(), ch.puts(s)...); its own are JsExtras.CHANNEL. */
              class Channel {
                constructor(handle) { Object.defineProperty(this, HANDLE, { value: handle }); }
                toString() { return bridge.describe(this[HANDLE]); }
                getsAsync() { return bridge.getsAsync(this[HANDLE]); }
                readAsync(n) { return bridge.readAsync(this[HANDLE], n === undefined ? null : n); }
                recvAsync() { return bridge.recvAsync(this[HANDLE]); }
                lines() { return iterate(() => this.getsAsync()); }
                messages() { return iterate(() => this.recvAsync()); }
              }

              /** How the REPL and -e print a value: strings quoted, channels as #<channel ...>, data as literals. */
              function show(v, depth) {
                if (typeof v === 'string') return JSON.stringify(v);
                if (typeof v === 'function') return '[Function' + (v.name ? ': ' + v.name : '') + ']';
                if (v === null || typeof v !== 'object') return String(v);
                if (v instanceof Channel || v instanceof Error) return String(v);
                if (depth > 3) return Array.isArray(v) ? '[...]' : '{...}';
                if (ArrayBuffer.isView(v)) {
                  const a = Array.from(v.subarray(0, 32));
                  return v.constructor.name + '(' + v.length + ') [' + a.join(', ') + (v.length > 32 ? ', ...' : '') + ']';
                }
                if (Array.isArray(v)) return '[' + v.map(x => show(x, depth + 1)).join(', ') + ']';
                if (v instanceof Promise) return 'Promise {}';
                const proto = Object.getPrototypeOf(v);
                if (proto !== Object.prototype && proto !== null) return String(v);
                return '{' + Object.keys(v).map(k => (/^[A-Za-z_$][\\w$]*$/.test(k) ? k : JSON.stringify(k)) + ': ' + show(v[k], depth + 1)).join(', ') + '}';
              }

              // These wrappers are the hot path of every builtin call, and Truffle's interpreter
              // is slow at what they would naturally say: a spread (...args) goes through the
              // iterator protocol, and a return that is not the function's last expression
              // throws. So up to three arguments go by index in one conditional expression, and
              // a method passes its channel's host handle, which the Java half takes without
              // asking the JS object for its members.
              const ipc = { Channel };
              const promised = [];
              for (let i = 0; i < builtins.length; i++) {
                const entry = builtins[i];
                const jsName = entry[1], fn = entry[2], verb = entry[3], method = entry[5];
                if (entry[6]) promised.push(entry[6]);
                const f = { [jsName](...args) {
                  const n = args.length;
                  return n === 0 ? fn() : n === 1 ? fn(args[0]) : n === 2 ? fn(args[0], args[1])
                    : n === 3 ? fn(args[0], args[1], args[2]) : fn(...args);
                } }[jsName];
                Object.defineProperty(f, 'doc', { value: entry[4] });
                ipc[jsName] = f;
                if (verb && !(jsName in Channel.prototype)) {
                  Channel.prototype[jsName] = function (...args) {
                    const h = this?.__channel;
                    return h === undefined ? fn(this, ...args)
                      : args.length === 0 ? method.call0(h)
                      : typeof args[0] === 'string' && args.length === 1 ? method.call1(h, args[0])
                      : args.length === 1 ? fn(h, args[0]) : args.length === 2 ? fn(h, args[0], args[1]) : fn(h, ...args);
                  };
                }
              }
              // ipc.stdin is the channel itself, and ipc.stdin() still returns it: a callable
              // stand-in with the channel's methods, one per channel (a closed one is replaced)
              for (const name of ['stdin', 'stdout', 'stderr']) {
                const open = ipc[name];
                if (!open) continue;
                const made = new WeakMap();
                Object.defineProperty(ipc, name, {
                  enumerable: true,
                  get() {
                    let ch;
                    try {
                      ch = open();
                    } catch (e) {
                      return open; // (stdin in the REPL's terminal) calling it says why; showing ipc still works
                    }
                    let f = made.get(ch);
                    if (!f) {
                      f = { [name]() { return open(); } }[name];
                      Object.setPrototypeOf(f, Channel.prototype);
                      Object.defineProperty(f, HANDLE, { value: ch[HANDLE] });
                      Object.defineProperty(f, 'doc', { value: open.doc });
                      made.set(ch, f);
                    }
                    return f;
                  }
                });
              }
              const after = ipc.after, every = ipc.every;
              // the Promise forms the registry's entries name (the builtin itself is then ipc.nameSync)
              const PROMISE_FORMS = {
                sleep: (ms) => { const d = bridge.duration('sleep', ms); return new Promise(resolve => after(d, () => resolve())); },
                rpcCall: (peer, method, params, opts) => new Promise((resolve, reject) => {
                  const o = Object.assign({}, opts || {});
                  o['on-reply'] = r => r.error === undefined ? resolve(r.result)
                    : reject(makeError('rpcCall "' + method + '": error ' + r.error.code + ': ' + r.error.message, 'ipc', r.error));
                  ipc.rpcCallSync(peer, method, params === undefined ? null : params, o);
                }),
                // the reply comes through dbus-call's :on-reply, so the loop serves other events meanwhile
                dbusCall: (...args) => new Promise((resolve, reject) => {
                  const last = args[args.length - 1];
                  // only a plain object is options: a channel (a unix fd argument) has no keys either
                  const plain = last !== null && typeof last === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(last));
                  const given = args.length > 5 && plain && Object.keys(last).every(k => ['signature', 'timeout', 'no-reply'].includes(k));
                  const opts = given ? Object.assign({}, args.pop()) : {};
                  opts['on-reply'] = (r) => {
                    if (r.error === undefined) return resolve(r.value);
                    const data = Object.assign({}, r);
                    delete data.error;
                    reject(makeError(r.error, 'ipc', data));
                  };
                  ipc.dbusCallSync(...args, opts);
                })
              };
              for (const name of promised) {
                if (!PROMISE_FORMS[name]) throw new Error('the registry names a Promise form ipc.' + name + ' that the binding does not make');
                ipc[name] = PROMISE_FORMS[name];
              }
              // an rpc peer is an object with methods (JsExtras.RPC_PEER); the builtins take it as the peer
              if (ipc.rpc) {
                const RPC = '__rpc';
                // a thrown error's code and data reach the error reply, as ex-info's do in Clojure
                const failed = (d, e) => bridge.fail(d, String(e && e.message !== undefined ? e.message : e),
                  e && typeof e.code === 'number' ? e.code : null, e && e.data !== undefined ? e.data : null);
                const wrapHandler = f => typeof f !== 'function' ? f : function (params, peer) {
                  let r;
                  try {
                    r = f(params, peer === undefined ? undefined : wrapPeer(peer));
                  } catch (e) {
                    const d = bridge.deferred();
                    failed(d, e);
                    return d;
                  }
                  if (!(r instanceof Promise)) return r;
                  const d = bridge.deferred();
                  r.then(v => bridge.deliver(d, v), e => failed(d, e));
                  return d;
                };
                class RpcPeer {
                  constructor(h) { Object.defineProperty(this, RPC, { value: h }); }
                  call(method, params, opts) { return ipc.rpcCall(this, method, params, opts); }
                  callSync(method, params, opts) { return opts === undefined ? ipc.rpcCallSync(this, method, params === undefined ? null : params) : ipc.rpcCallSync(this, method, params, opts); }
                  notify(method, params) { return ipc.rpcNotify(this, method, params === undefined ? null : params); }
                  batch(calls, opts) { return opts === undefined ? ipc.rpcBatch(this, calls) : ipc.rpcBatch(this, calls, opts); }
                  on(method, f) { return ipc.rpcOn(this, method, f); }
                  close() { return ipc.close(this[RPC]); }
                  toString() { return 'RpcPeer'; }
                }
                // host objects cannot key a WeakMap: a handler's peer argument is a new object each call
                function wrapPeer(h) {
                  return h === null || h === undefined || h instanceof RpcPeer ? h : new RpcPeer(h);
                }
                const open = ipc.rpc, on = ipc.rpcOn, serve = ipc.rpcServe;
                Channel.prototype.rpc = function rpc(...a) { return ipc.rpc(this, ...a); };
                ipc.rpc = Object.assign(function rpc(...a) { return wrapPeer(open(...a)); }, { doc: open.doc });
                ipc.rpcOn = Object.assign(function rpcOn(p, m, f) { return on(p, m, wrapHandler(f)); }, { doc: on.doc });
                ipc.rpcServe = Object.assign(function rpcServe(target, handlers, opts) {
                  const hs = {};
                  for (const k of Object.keys(handlers || {})) hs[k] = wrapHandler(handlers[k]);
                  const r = opts === undefined ? serve(target, hs) : serve(target, hs, opts);
                  return target !== null && typeof target === 'object' && 'listen' in target && !(target instanceof Channel) ? r : wrapPeer(r);
                }, { doc: serve.doc });
              }
              // a D-Bus bus is an object with methods (JsExtras.DBUS_BUS): each is ipc.dbusX (close: ipc.close) with the bus first
              if (ipc.dbus) {
                const BUS = '__dbus';
                class DbusBus {
                  constructor(h) { Object.defineProperty(this, BUS, { value: h }); }
                  toString() { return bridge.hostText(this[BUS]); }
                }
                for (const m of ['call', 'callSync', 'names', 'owner', 'introspect', 'tree', 'get', 'set', 'props', 'on', 'emit',
                    'export', 'requestName', 'releaseName', 'monitor', 'close']) {
                  const f = m === 'close' ? ipc.close : ipc['dbus' + m[0].toUpperCase() + m.slice(1)];
                  if (typeof f !== 'function') throw new Error('a D-Bus bus method ' + m + ' has no builtin');
                  Object.defineProperty(DbusBus.prototype, m, { writable: true, configurable: true,
                    value: { [m](...a) { return f(this, ...a); } }[m] });
                }
                const open = ipc.dbus;
                ipc.dbus = Object.assign(function dbus(...a) { return new DbusBus(open(...a)); }, { doc: open.doc });
              }
              /** with-sem: waits on s, runs f, posts s in a finally; returns f's value. */
              if (ipc.semWait) ipc.withSem = (s, f) => { ipc.semWait(s); try { return f(); } finally { ipc.semPost(s); } };
              /** with-lock: locks path (opts as lock's), runs f, unlocks in a finally; undefined without f's run when {wait: false} found it held. */
              if (ipc.lock) ipc.withLock = (path, opts, f) => {
                if (f === undefined) { f = opts; opts = undefined; }
                if (typeof f !== 'function') throw makeError('withLock: the last argument must be a function, not ' + typeof f, 'ipc');
                const l = opts === undefined ? ipc.lock(path) : ipc.lock(path, opts);
                if (l === null || l === undefined) return undefined;
                try { return f(); } finally { if (typeof path === 'string') ipc.close(l); else ipc.unlock(l); }
              };
              /** with-mutex: locks m, runs f with lock-mutex's {'owner-died': …}, unlocks; a throw after an owner's death leaves it unrecoverable. */
              if (ipc.lockMutex) ipc.withMutex = (m, f) => {
                if (typeof f !== 'function') throw makeError('withMutex: argument 2 must be a function, not ' + typeof f, 'ipc');
                const info = ipc.lockMutex(m);
                let v;
                try { v = f(info); } catch (e) { ipc.unlockMutex(m, { repaired: false }); throw e; }
                ipc.unlockMutex(m);
                return v;
              };
              ipc.doc = (name) => bridge.doc(String(name));
              ipc.clj = (code) => bridge.clj(String(code));
              ipc.args = Object.freeze([]);

              // as in browsers, a negative, missing or non-numeric delay is 0; past the one duration limit is an error
              const delay = (who, f, ms, min) => {
                if (typeof f !== 'function') throw makeError(who + ': argument 1 must be a function, not ' + typeof f, 'ipc');
                return bridge.duration(who, Math.max(min, Math.floor(Number(ms) || 0)));
              };
              globalThis.setTimeout = (f, ms, ...args) => after(delay('setTimeout', f, ms, 0), () => { f(...args); });
              globalThis.setInterval = (f, ms, ...args) => every(delay('setInterval', f, ms, 1), () => { f(...args); });
              globalThis.clearTimeout = (t) => { if (t !== undefined && t !== null) bridge.cancel(t); };
              globalThis.clearInterval = globalThis.clearTimeout;
              globalThis.ipc = ipc;

              // A callback's own throw (threw stays true) vs. a rejection that the jobs run after it
              // raise (the engine's unhandled-rejection check): JsEngine labels them differently.
              let threw = false;
              function invoke(f, ...args) {
                let ok = false;
                try {
                  const v = f(...args);
                  ok = true;
                  return v;
                } finally {
                  threw = !ok;
                }
              }

              return {
                invoke,
                threw: () => threw,
                stackHere: () => new Error('registered here'),
                makeError,
                quit,
                makeChannel: (h) => new Channel(h),
                deferred: () => {
                  let resolve, reject;
                  const promise = new Promise((a, b) => { resolve = a; reject = b; });
                  return { promise, resolve, reject };
                },
                newObject: () => ({}),
                arrayFrom: (p) => Array.from(p),
                bytes: (buffer) => new Uint8Array(buffer).slice(),
                show: (v) => show(v, 0),
                setArgs: (a) => { ipc.args = Object.freeze(Array.from(a)); },
                // for the REPL's Tab: names a user can type after "v." or at the start of a name
                isChannel: (v) => v instanceof Channel,
                memberNames: (v) => {
                  const names = new Set();
                  if (v === null || v === undefined) return [];
                  for (let o = Object(v); o !== null && o !== Object.prototype && o !== Function.prototype; o = Object.getPrototypeOf(o)) {
                    for (const n of Object.getOwnPropertyNames(o)) if (IDENT.test(n) && n !== 'constructor' && n !== HANDLE) names.add(n);
                  }
                  return Array.from(names);
                },
                globalNames: () => Object.getOwnPropertyNames(globalThis).filter(n => IDENT.test(n))
              };
            })
            """;
}
