import { rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { Layout } from '../queue/layout.js';
import { controlAddress, sendControl, type ControlReply, type ControlRequest } from './control-socket.js';

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
