import { rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Layout } from '../queue/layout.js';
import { controlAddress, sendControl, type ControlReply, type ControlRequest } from './control-socket.js';
import { daemonStatus } from './daemon-status.js';
import { takeOwnerLock } from './owner-lock.js';

// `close` stops listening, and frees the socket (and its lock) for the next daemon.
export type Listening = { ok: true; close: () => Promise<void> } | { ok: false; heldByPid: number | undefined };

const PING_TIMEOUT_MS = 2000;

// Binds the workspace's control socket; fails when another daemon holds it, saying which pid.
export async function listenControl(
  layout: Layout,
  handle: (request: ControlRequest, socket: Socket) => Promise<ControlReply>,
): Promise<Listening> {
  const address = controlAddress(layout);
  const server = createServer((socket) => {
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('error', () => undefined);
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        let request: ControlRequest;
        try {
          request = JSON.parse(line) as ControlRequest;
        } catch {
          socket.end(`${JSON.stringify({ ok: false, error: 'bad request' })}\n`);
          return;
        }
        void handle(request, socket).then(
          (reply) => socket.writable && socket.write(`${JSON.stringify(reply)}\n`),
          (error: unknown) =>
            socket.writable && socket.write(`${JSON.stringify({ ok: false, error: String(error) })}\n`),
        );
      }
    });
  });
  if (address.startsWith('\0')) return listenAbstract(layout, server, address);
  return listenFile(layout, server, address);
}

function bind(server: Server, address: string): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' ? resolve(false) : reject(error),
    );
    server.listen(address, () => resolve(true));
  });
}

const closing = (server: Server) => () => new Promise<void>((resolve) => server.close(() => resolve()));

// The holder's pid as it says it, else as its pid file says (a daemon too busy to answer still runs).
async function holderPid(layout: Layout): Promise<number | undefined> {
  const reply = await sendControl(layout, { cmd: 'ping' }, PING_TIMEOUT_MS);
  return reply?.ok ? (reply.pid as number) : daemonStatus(layout).pid;
}

// An abstract socket is its own lock: the kernel frees it with its daemon.
async function listenAbstract(layout: Layout, server: Server, address: string): Promise<Listening> {
  if (await bind(server, address)) return { ok: true, close: closing(server) };
  return { ok: false, heldByPid: await holderPid(layout) };
}

// A socket file outlives a daemon killed with -9, and an unanswered ping proves nothing (the daemon
// may be busy, or stopped): the file is replaced only by the holder of its owner lock, which a live
// process never loses.
async function listenFile(layout: Layout, server: Server, address: string): Promise<Listening> {
  const lock = takeOwnerLock(address.replace(/\.sock$/, '.lock'));
  if (!lock.ok) return { ok: false, heldByPid: lock.holder?.pid };
  let bound = false;
  try {
    // A daemon that took no lock (an older orchestrate, or one whose lock a temp-folder cleaner
    // removed) may still listen on the file.
    if (!(await acceptsConnections(address))) {
      rmSync(address, { force: true });
      bound = await bind(server, address);
    }
  } finally {
    if (!bound) lock.release();
  }
  if (!bound) return { ok: false, heldByPid: await holderPid(layout) };
  const close = closing(server);
  return { ok: true, close: () => close().finally(lock.release) };
}

// Whether a process listens on a socket file: the kernel accepts for a live listener, even a stopped
// one, and refuses at once for a file whose daemon is gone.
function acceptsConnections(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(address);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code !== 'ECONNREFUSED' && error.code !== 'ENOENT'),
    );
  });
}
