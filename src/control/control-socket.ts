import { realpathSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { CONTROL_SOCKET_VARIABLE, controlSocketKind } from '../core/platform.js';
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
// dies, so binding it is an exclusive lock with no stale state to clean up after kill -9. Elsewhere it
// is a file in the temp folder, guarded by an owner lock (see control-server.ts).
export function controlAddress(layout: Layout): string {
  let root = layout.root;
  try {
    root = realpathSync(root);
  } catch {
    // Not created yet: the resolved path is as good.
  }
  const hash = sha256Hex(root).slice(0, 20);
  const name = `orchestrate-${userInfo().uid}-${hash}`;
  return controlSocketKind(process.platform, process.env[CONTROL_SOCKET_VARIABLE]) === 'abstract'
    ? `\0${name}`
    : join(tmpdir(), `${name}.sock`);
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
