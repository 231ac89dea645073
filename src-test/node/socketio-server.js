'use strict';
// Socket.IO 4.x chat upstream for wsgate interop tests.
//
//   node socketio-server.js <port|0> [--stdin-watch] [--ttl SECONDS] [--host 127.0.0.1]
//                           [--ping-interval MS] [--ping-timeout MS]   (Engine.IO heartbeat; defaults 25000/20000)
//
// Prints `LISTENING <port>` first. Everything it receives is kept in a bounded record served at
// GET /__received (JSON array; ?since=SEQ for newer entries only; DELETE clears). Entry kinds:
//   handshake  {sid, url, headers, remoteAddress}        one per Engine.IO connection
//   frame      {sid, type, data}                          every Engine.IO packet received, raw: type is the
//                                                         Engine.IO type ("message", "pong", "close"...), data
//                                                         the rest of the frame (`42["x"]` arrives as "message"
//                                                         with data `2["x"]`)
//   connect    {nsp, id, auth, accepted, user}            every namespace CONNECT (refused ones too)
//   event      {nsp, id, user, event, args}               every event (acks show as {"$ack":true})
//   disconnect {nsp, id, user, reason}
// Binary data appears as {"$binary": base64, "length": n}.
// The server is deliberately permissive (no role checks): whatever the gateway lets through works.

const http = require('node:http');
const { Server } = require('socket.io');
const { parseArgs, Record, handleRecordRequest, listen } = require('./lib/common');

const args = parseArgs(process.argv.slice(2), ['stdin-watch']);
const record = new Record();

const httpServer = http.createServer((req, res) => {
  if (handleRecordRequest(record, req, res)) return;
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found');
});

const io = new Server(httpServer, {
  path: '/socket.io/',
  transports: ['websocket'],
  serveClient: false,
  maxHttpBufferSize: 10 * 1024 * 1024,
  pingInterval: Number.parseInt(args['ping-interval'] || '25000', 10),
  pingTimeout: Number.parseInt(args['ping-timeout'] || '20000', 10),
});

io.engine.on('connection', (raw) => {
  const req = raw.request;
  record.add({
    kind: 'handshake',
    sid: raw.id,
    url: req.url,
    headers: req.headers,
    remoteAddress: req.socket.remoteAddress,
  });
  raw.on('packet', (packet) => {
    record.add({ kind: 'frame', sid: raw.id, type: packet.type, data: packet.data });
  });
});

function authMiddleware(socket, next) {
  const auth = socket.handshake.auth || {};
  const accepted = typeof auth.user === 'string' && auth.user.length > 0;
  record.add({
    kind: 'connect',
    nsp: socket.nsp.name,
    id: socket.id,
    sid: socket.conn.id,
    auth,
    accepted,
    user: accepted ? auth.user : null,
  });
  if (!accepted) return next(new Error('Not authorized'));
  socket.data.user = auth.user;
  socket.data.roles = Array.isArray(auth.roles) ? auth.roles : [];
  return next();
}

function recordTraffic(socket) {
  socket.onAny((event, ...eventArgs) => {
    record.add({ kind: 'event', nsp: socket.nsp.name, id: socket.id, user: socket.data.user, event, args: eventArgs });
  });
  socket.on('disconnect', (reason) => {
    record.add({ kind: 'disconnect', nsp: socket.nsp.name, id: socket.id, user: socket.data.user, reason });
  });
}

function lastCallback(list) {
  return typeof list[list.length - 1] === 'function' ? list[list.length - 1] : null;
}

function adminKick(nsp, socket, payload, cb) {
  const target = payload && typeof payload.user === 'string' ? payload.user : null;
  const room = target ? `user:${target}` : null;
  const count = room ? (io.of('/').adapter.rooms.get(room)?.size ?? 0) : 0;
  if (room) io.of('/').to(room).emit('kicked', { by: socket.data.user, nsp });
  if (cb) cb({ ok: true, kicked: target, sockets: count });
}

io.use(authMiddleware);
io.on('connection', (socket) => {
  recordTraffic(socket);
  const user = socket.data.user;
  socket.join(`user:${user}`);

  socket.on('join-room', (payload, ...rest) => {
    const room = typeof payload === 'string' ? payload : payload && payload.room;
    const cb = lastCallback(rest);
    if (typeof room !== 'string' || room.length === 0) {
      if (cb) cb({ ok: false, error: 'room required' });
      return;
    }
    socket.join(`room:${room}`);
    if (cb) cb({ ok: true, room });
  });

  socket.on('send-message', (payload, ...rest) => {
    const cb = lastCallback(rest);
    const room = payload && payload.room;
    if (typeof room !== 'string') {
      if (cb) cb({ ok: false, error: 'room required' });
      return;
    }
    socket.to(`room:${room}`).emit('message', { from: user, room, message: payload.message });
    if (cb) cb({ ok: true });
  });

  socket.on('private-message', (payload, ...rest) => {
    const cb = lastCallback(rest);
    const to = payload && payload.to;
    if (typeof to !== 'string') {
      if (cb) cb({ ok: false, error: 'to required' });
      return;
    }
    io.to(`user:${to}`).emit('private-message', { from: user, message: payload.message });
    if (cb) cb({ ok: true });
  });

  socket.on('typing', (payload) => {
    const room = payload && payload.room;
    const msg = { from: user, room: room ?? null };
    if (typeof room === 'string') socket.to(`room:${room}`).emit('typing', msg);
    else socket.broadcast.emit('typing', msg);
  });

  socket.on('ping-ack', (arg, cb) => {
    if (typeof cb === 'function') cb({ pong: true, echo: arg });
  });

  socket.on('upload', (data, cb) => {
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data ?? []);
    socket.emit('uploaded', bytes);
    if (typeof cb === 'function') cb({ ok: true, length: bytes.length });
  });

  // Present on "/" too, so that only the gateway stands between a `user` and this event.
  socket.on('admin-kick', (payload, cb) => adminKick('/', socket, payload, typeof cb === 'function' ? cb : null));
});

const admin = io.of('/admin');
admin.use(authMiddleware);
admin.on('connection', (socket) => {
  recordTraffic(socket);
  socket.on('admin-kick', (payload, cb) => adminKick('/admin', socket, payload, typeof cb === 'function' ? cb : null));
});

listen(httpServer, args, () => io.close());
