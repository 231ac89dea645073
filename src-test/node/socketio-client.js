'use strict';
// Socket.IO 4.x client scenarios (socket.io-client, websocket transport only).
//
//   node socketio-client.js --url http://127.0.0.1:8080 [--direct] [--scenarios connect,room] [--token-via auth|query|header]
//
// With a gateway in between, tokens go in the CONNECT auth object ({token}); --token-via query
// sends ?access_token=, header sends Authorization: Bearer. With --direct the client sends the
// identity the gateway would forward ({user, roles}) straight to socketio-server.js.

const crypto = require('node:crypto');
const { io, Manager } = require('socket.io-client');
const { main, check, fail, requireToken, nonce, ScenarioFailure } = require('./lib/scenarios');

const USAGE = 'usage: node socketio-client.js --url http://HOST:PORT [--path /socket.io/] [--token-via auth|query|header]'
  + ' [--heartbeat-ms 1500] [--min-pings 0]';
const XSS = '<script>alert(1)</script>hi';
const DENIED_BINARY_BYTES = 2047; // no other scenario sends this size: the tests look for it upstream

/** Socket options that carry principal p's credentials (null p: none at all). */
function optionsFor(ctx, p) {
  const o = {
    path: ctx.opts.path || '/socket.io/',
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: ctx.timeoutMs,
    auth: {},
  };
  if (!p) return o;
  if (ctx.direct) {
    o.auth = p.id ? { user: p.id, roles: p.roles } : { token: p.token };
    return o;
  }
  const token = requireToken(p);
  const via = ctx.opts['token-via'] || 'auth';
  if (via === 'auth') o.auth = { token };
  else if (via === 'query') o.query = { access_token: token };
  else if (via === 'header') o.extraHeaders = { Authorization: `Bearer ${token}` };
  else fail(`unknown --token-via ${via}`);
  return o;
}

function open(ctx, p, nsp = '/', extraAuth = {}) {
  const base = ctx.opts.url.replace(/\/+$/, '');
  const o = optionsFor(ctx, p);
  o.auth = { ...extraAuth, ...o.auth };
  const socket = io(`${base}${nsp === '/' ? '' : nsp}`, o);
  ctx.defer(() => socket.disconnect());
  return socket;
}

/** One Engine.IO connection for several namespaces (no forceNew): principal p's credentials in each CONNECT. */
function manager(ctx, p) {
  const o = optionsFor(ctx, p);
  const { auth } = o;
  delete o.auth;
  delete o.forceNew;
  o.autoConnect = false;
  const base = ctx.opts.url.replace(/\/+$/, '');
  const m = new Manager(base, o);
  m.authFor = auth;
  ctx.defer(() => m.engine && m.engine.close());
  return m;
}

/** Settles with {socket} on connect or {error} on connect_error, for nsp on manager m. */
function attach(ctx, m, nsp, auth = m.authFor) {
  const socket = m.socket(nsp, { auth });
  ctx.defer(() => socket.disconnect());
  return ctx.within(new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket, engineId: m.engine.id }));
    socket.once('connect_error', (e) => resolve({ socket, error: e.message, engineId: m.engine && m.engine.id }));
    socket.connect();
  }), `${nsp} on a shared connection`);
}

/** Connects and resolves with the socket, or fails with the connect_error message. */
function connect(ctx, p, nsp = '/', extraAuth = {}) {
  const socket = open(ctx, p, nsp, extraAuth);
  return ctx.within(new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (e) => reject(new ScenarioFailure(`connect_error on ${nsp}: ${e.message}`, { data: e.data ?? null })));
  }), `connect ${nsp} as ${p ? p.name : 'nobody'}`);
}

/** Expects a refusal and resolves with the connect_error message. */
function connectError(ctx, p, nsp = '/') {
  const socket = open(ctx, p, nsp);
  return ctx.within(new Promise((resolve, reject) => {
    socket.once('connect', () => reject(new ScenarioFailure(`connected to ${nsp}, expected connect_error`)));
    socket.once('connect_error', (e) => resolve({ message: e.message, data: e.data ?? null }));
  }), `connect_error ${nsp}`);
}

/** First `event` on socket whose first argument satisfies pred. */
function next(ctx, socket, event, pred = () => true) {
  return ctx.within(new Promise((resolve) => {
    const listener = (...a) => {
      if (pred(a[0])) {
        socket.off(event, listener);
        resolve(a[0]);
      }
    };
    socket.on(event, listener);
  }), `event "${event}"`);
}

function ack(ctx, socket, event, ...a) {
  return socket.timeout(ctx.timeoutMs).emitWithAck(event, ...a);
}

async function join(ctx, socket, room) {
  const res = await ack(ctx, socket, 'join-room', { room });
  check(res && res.ok === true, 'join-room not acknowledged', { ack: res ?? null });
}

async function twoInRoom(ctx, extraAuthA = {}) {
  const [a, b] = await Promise.all([connect(ctx, ctx.p.user, '/', extraAuthA), connect(ctx, ctx.p.user2)]);
  const room = `room-${nonce()}`;
  await join(ctx, a, room);
  await join(ctx, b, room);
  return { a, b, room };
}

async function roomDelivery(ctx, sent, expected, extraAuthA = {}) {
  const { a, b, room } = await twoInRoom(ctx, extraAuthA);
  const got = next(ctx, b, 'message', (m) => m && m.room === room);
  a.emit('send-message', { room, message: sent });
  const m = await got;
  check(m.from === ctx.p.user.id, `from is ${JSON.stringify(m.from)}, expected ${ctx.p.user.id}`, { received: m });
  check(m.message === expected, `message is ${JSON.stringify(m.message)}, expected ${JSON.stringify(expected)}`, { received: m });
  return { room, received: m };
}

async function expectNotice(ctx, event, payload, code, p = ctx.p.user, nsp = '/') {
  const s = await connect(ctx, p, nsp);
  const notice = next(ctx, s, 'error');
  s.emit(event, payload);
  const n = await notice;
  check(n && n.code === code && n.event === event, `notice ${JSON.stringify(n)}, expected code ${code} for ${event} on ${nsp}`, { notice: n ?? null });
  // the socket still works afterwards: nothing stray reached the upstream's parser
  const res = await ack(ctx, s, nsp === '/' ? 'ping-ack' : 'admin-kick', { after: 'the notice' });
  check(res && (res.pong === true || res.ok === true), 'no ack after the notice', { ack: res ?? null });
  return { notice: n };
}

function expectedRefusal(ctx, gatewayMessage) {
  return ctx.opts['expect-message'] || (ctx.direct ? 'Not authorized' : gatewayMessage);
}

const scenarios = [
  {
    name: 'connect',
    direct: true,
    run: async (ctx) => {
      const s = await connect(ctx, ctx.p.user);
      return { id: s.id };
    },
  },
  {
    name: 'no-token',
    direct: true,
    run: async (ctx) => {
      const want = expectedRefusal(ctx, 'Authentication required');
      const e = await connectError(ctx, null);
      check(e.message === want, `connect_error "${e.message}", expected "${want}"`, e);
      return e;
    },
  },
  {
    name: 'bad-token',
    direct: false,
    run: async (ctx) => {
      const want = expectedRefusal(ctx, 'Invalid token');
      const e = await connectError(ctx, ctx.p.bad);
      check(e.message === want, `connect_error "${e.message}", expected "${want}"`, e);
      return e;
    },
  },
  {
    name: 'room',
    direct: true,
    run: (ctx) => {
      const text = `hello ${nonce()}`;
      return roomDelivery(ctx, text, text);
    },
  },
  {
    name: 'ack',
    direct: true,
    run: async (ctx) => {
      const s = await connect(ctx, ctx.p.user);
      const arg = { n: nonce(), list: [1, 'two', null] };
      const res = await ack(ctx, s, 'ping-ack', arg);
      check(res && res.pong === true && JSON.stringify(res.echo) === JSON.stringify(arg), 'unexpected ack', { ack: res ?? null, sent: arg });
      return { ack: res };
    },
  },
  {
    name: 'binary',
    direct: true,
    run: async (ctx) => {
      const s = await connect(ctx, ctx.p.user);
      const bytes = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), crypto.randomBytes(3840)]);
      const echoed = next(ctx, s, 'uploaded');
      const res = await ack(ctx, s, 'upload', bytes);
      const back = Buffer.from(await echoed);
      check(res && res.length === bytes.length, 'ack length differs', { ack: res ?? null, sent: bytes.length });
      check(back.equals(bytes), 'echoed bytes differ', { sent: bytes.length, received: back.length });
      return { bytes: bytes.length, ack: res };
    },
  },
  {
    name: 'denied-event',
    direct: false,
    run: (ctx) => expectNotice(ctx, 'admin-kick', { user: ctx.p.user2.id }, 'forbidden'),
  },
  {
    name: 'unknown-event',
    direct: false,
    run: (ctx) => expectNotice(ctx, 'no-such-event', { x: 1 }, 'unknown_event'),
  },
  {
    name: 'admin-ns-user',
    direct: false,
    run: async (ctx) => {
      const e = await connectError(ctx, ctx.p.user, '/admin');
      check(e.message === 'Forbidden', `connect_error "${e.message}", expected "Forbidden"`, e);
      return e;
    },
  },
  {
    // notices answer in the namespace of the refused packet
    name: 'admin-ns-notice',
    direct: false,
    run: (ctx) => expectNotice(ctx, 'no-such-event', { x: 1 }, 'unknown_event', ctx.p.admin, '/admin'),
  },
  {
    // a refused BINARY_EVENT: its attachment frames must be dropped with it
    name: 'denied-binary',
    direct: false,
    run: (ctx) => expectNotice(ctx, 'admin-kick', crypto.randomBytes(DENIED_BINARY_BYTES), 'forbidden'),
  },
  {
    // a client-chosen identity in the CONNECT auth object is replaced by the token's
    name: 'spoofed-identity',
    direct: false,
    run: (ctx) => {
      const text = `spoof ${nonce()}`;
      return roomDelivery(ctx, text, text, { user: 'mallory', roles: ['admin'] });
    },
  },
  {
    // an ack carrying binary: BINARY_EVENT with an ack id up, BINARY_ACK down
    name: 'binary-ack',
    direct: true,
    run: async (ctx) => {
      const s = await connect(ctx, ctx.p.user);
      const bytes = crypto.randomBytes(1000);
      const res = await ack(ctx, s, 'ping-ack', bytes);
      check(res && res.pong === true && Buffer.isBuffer(res.echo) && res.echo.equals(bytes), 'binary ack differs', { ack: res ? { pong: res.pong, echoBytes: res.echo && res.echo.length } : null });
      return { bytes: bytes.length };
    },
  },
  {
    // a sanitized BINARY_EVENT keeps its attachment
    name: 'sanitize-binary',
    direct: false,
    run: async (ctx) => {
      const { a, b, room } = await twoInRoom(ctx);
      const got = next(ctx, b, 'message', (m) => m && m.room === room);
      const res = await ack(ctx, a, 'send-message', { room, message: XSS, file: crypto.randomBytes(512) });
      const m = await got;
      check(res && res.ok === true, 'send-message not acknowledged', { ack: res ?? null });
      check(m.message === 'hi', `message is ${JSON.stringify(m.message)}, expected "hi"`, { received: m });
      return { received: m };
    },
  },
  {
    // notices and binary packets from the upstream interleave without splitting a packet from its attachments
    name: 'binary-interleave',
    direct: false,
    run: async (ctx) => {
      const s = await connect(ctx, ctx.p.user);
      const rounds = 30;
      const sent = Array.from({ length: rounds }, () => crypto.randomBytes(8192));
      const received = [];
      let notices = 0;
      s.on('error', (n) => { if (n && n.code === 'unknown_event') notices++; });
      const all = ctx.within(new Promise((resolve) => {
        s.on('uploaded', (data) => {
          received.push(Buffer.from(data));
          if (received.length === rounds) resolve();
        });
      }), `${rounds} uploads echoed`);
      for (const bytes of sent) {
        s.emit('upload', bytes);
        s.emit('no-such-event', { x: 1 });
      }
      await all;
      for (let i = 0; i < rounds; i++) check(received[i].equals(sent[i]), `upload ${i} came back different`);
      check(notices >= 1, 'no unknown_event notice');
      check(s.connected, 'socket closed');
      return { rounds, notices };
    },
  },
  {
    // "/" and "/admin" multiplexed on one Engine.IO connection: a user is refused "/admin" only
    name: 'multiplex-user',
    direct: false,
    run: async (ctx) => {
      const m = manager(ctx, ctx.p.user);
      const root = await attach(ctx, m, '/');
      check(!root.error, `"/" refused: ${root.error}`);
      const adm = await attach(ctx, m, '/admin');
      check(adm.error === 'Forbidden', `"/admin": ${adm.error ? `connect_error ${adm.error}` : 'connected'}, expected Forbidden`);
      const res = await ack(ctx, root.socket, 'ping-ack', { still: 'here' });
      check(res && res.pong === true, '"/" stopped answering after the refused "/admin"', { ack: res ?? null });
      return { engineIds: [root.engineId, adm.engineId] };
    },
  },
  {
    // another subject's token in a later CONNECT on the same connection grants nothing: the connection keeps
    // the identity its first CONNECT verified (the gateway verifies once per connection) or the token is refused
    name: 'multiplex-token-swap',
    direct: false,
    run: async (ctx) => {
      const m = manager(ctx, ctx.p.user);
      const root = await attach(ctx, m, '/');
      check(!root.error, `"/" refused: ${root.error}`);
      const adm = await attach(ctx, m, '/admin', { token: requireToken(ctx.p.admin) });
      check(adm.error === 'Forbidden' || adm.error === 'Invalid token',
        `"/admin" with another subject's token: ${adm.error ? `connect_error ${adm.error}` : 'connected'}, expected a refusal`);
      const res = await ack(ctx, root.socket, 'ping-ack', { still: 'here' });
      check(res && res.pong === true, '"/" stopped answering', { ack: res ?? null });
      return { refusal: adm.error, engineIds: [root.engineId, adm.engineId] };
    },
  },
  {
    name: 'multiplex-admin',
    direct: true,
    run: async (ctx) => {
      const m = manager(ctx, ctx.p.admin);
      const root = await attach(ctx, m, '/');
      const adm = await attach(ctx, m, '/admin');
      check(!root.error && !adm.error, `connect_error: ${root.error || adm.error}`);
      check(root.engineId === adm.engineId, 'namespaces were not multiplexed');
      const [r1, r2] = await Promise.all([ack(ctx, root.socket, 'ping-ack', 1), ack(ctx, adm.socket, 'admin-kick', { user: `nobody-${nonce()}` })]);
      check(r1 && r1.pong === true && r2 && r2.ok === true, 'acks missing', { ping: r1 ?? null, kick: r2 ?? null });
      return { engineId: root.engineId };
    },
  },
  {
    // Engine.IO ping/pong keep the session alive across several server ping intervals
    name: 'heartbeat',
    direct: true,
    run: async (ctx) => {
      const waitMs = Number.parseInt(ctx.opts['heartbeat-ms'] || '1500', 10);
      const s = await connect(ctx, ctx.p.user);
      let pings = 0;
      let gone = null;
      s.io.engine.on('ping', () => { pings++; });
      s.on('disconnect', (reason) => { gone = reason; });
      await new Promise((r) => setTimeout(r, waitMs));
      check(gone === null, `disconnected after ${pings} pings: ${gone}`, { pings });
      const minPings = Number.parseInt(ctx.opts['min-pings'] || '0', 10);
      check(pings >= minPings, `${pings} Engine.IO pings in ${waitMs} ms, expected at least ${minPings}`, { pings });
      const res = await ack(ctx, s, 'ping-ack', { pings });
      check(res && res.pong === true, 'no ack after the wait', { ack: res ?? null });
      return { pings, waitedMs: waitMs };
    },
  },
  {
    name: 'admin-ns-admin',
    direct: true,
    run: async (ctx) => {
      const s = await connect(ctx, ctx.p.admin, '/admin');
      const res = await ack(ctx, s, 'admin-kick', { user: `nobody-${nonce()}` });
      check(res && res.ok === true, 'admin-kick not acknowledged', { ack: res ?? null });
      return { ack: res };
    },
  },
  { name: 'sanitize', direct: false, run: (ctx) => roomDelivery(ctx, XSS, 'hi') },
  {
    name: 'private-message',
    direct: true,
    run: async (ctx) => {
      const [a, b] = await Promise.all([connect(ctx, ctx.p.user), connect(ctx, ctx.p.user2)]);
      const text = `psst ${nonce()}`;
      const got = next(ctx, b, 'private-message', (m) => m && m.message === text);
      a.emit('private-message', { to: ctx.p.user2.id, message: text });
      const m = await got;
      check(m.from === ctx.p.user.id, `from is ${JSON.stringify(m.from)}`, { received: m });
      return { received: m };
    },
  },
  {
    name: 'typing',
    direct: true,
    run: async (ctx) => {
      const { a, b, room } = await twoInRoom(ctx);
      const got = next(ctx, b, 'typing', (m) => m && m.room === room);
      a.emit('typing', { room });
      const m = await got;
      check(m.from === ctx.p.user.id, `from is ${JSON.stringify(m.from)}`, { received: m });
      return { received: m };
    },
  },
];

main(scenarios, USAGE).catch((e) => {
  console.error(e);
  process.exit(2);
});
