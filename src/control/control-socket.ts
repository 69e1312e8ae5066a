import { realpathSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { sha256Hex } from '../core/sha256.js';
import type { Layout } from '../queue/layout.js';

export type ControlRequest =
  | { cmd: 'ping' }
  | { cmd: 'ring'; ids: string[] }
  | { cmd: 'cancel'; id: string }
  | { cmd: 'waiting' }
  | { cmd: 'stop'; killAgents?: boolean; wait?: boolean };

export type ControlReply = { ok: true; [key: string]: unknown } | { ok: false; error: string };

// One workspace, one address. On Linux it is an abstract socket: the kernel frees it when the daemon
// dies, so binding it is an exclusive lock with no stale state to clean up after kill -9.
export function controlAddress(layout: Layout): string {
  let root = layout.root;
  try {
    root = realpathSync(root);
  } catch {
    // Not created yet: the resolved path is as good.
  }
  const hash = sha256Hex(root).slice(0, 20);
  const name = `orchestrate-${userInfo().uid}-${hash}`;
  return process.platform === 'linux' ? `\0${name}` : join(tmpdir(), `${name}.sock`);
}

export type Listening = { ok: true; server: Server } | { ok: false; heldByPid: number | undefined };

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
  const bind = () =>
    new Promise<boolean>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        error.code === 'EADDRINUSE' ? resolve(false) : reject(error),
      );
      server.listen(address, () => resolve(true));
    });
  if (await bind()) return { ok: true, server };
  const reply = await sendControl(layout, { cmd: 'ping' }, 2000);
  if (reply?.ok) return { ok: false, heldByPid: reply.pid as number };
  // A socket file (not Linux) outlives a crashed daemon: nobody answers, so it is stale.
  if (!address.startsWith('\0')) {
    rmSync(address, { force: true });
    if (await bind()) return { ok: true, server };
  }
  return { ok: false, heldByPid: undefined };
}

// Sends one request to the workspace's daemon; undefined when no daemon answers.
export function sendControl(
  layout: Layout,
  request: ControlRequest,
  timeoutMs: number,
): Promise<ControlReply | undefined> {
  return new Promise((resolve) => {
    const socket = connect(controlAddress(layout));
    let buffer = '';
    const done = (reply: ControlReply | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reply);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const newline = buffer.indexOf('\n');
      if (newline >= 0) {
        try {
          done(JSON.parse(buffer.slice(0, newline)) as ControlReply);
        } catch {
          done(undefined);
        }
      }
    });
    socket.on('error', () => done(undefined));
    socket.on('close', () => done(undefined));
  });
}
