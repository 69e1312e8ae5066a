// The launcher: a small process that forks agent wrappers for the daemon. Forking from a process
// this small is cheap, and it keeps fork and copy-on-write faults off the daemon's event loop.
// Protocol: JSON lines. In: { id, args, cwd, env }. Out: { id, pid } | { id, error } and later
// { id, exit, signal }. It exits when the daemon closes its stdin; the wrappers live on.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

interface LaunchRequest {
  id: number;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

const send = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);

createInterface({ input: process.stdin }).on('line', (line) => {
  const request = JSON.parse(line) as LaunchRequest;
  try {
    const child = spawn('/bin/sh', request.args, {
      cwd: request.cwd,
      env: request.env,
      detached: true,
      stdio: 'ignore',
    });
    child.once('error', (error) => send({ id: request.id, error: error.message }));
    child.once('exit', (code, signal) => send({ id: request.id, exit: code, signal }));
    if (child.pid !== undefined) send({ id: request.id, pid: child.pid });
  } catch (error) {
    send({ id: request.id, error: (error as Error).message });
  }
});
process.stdin.on('end', () => process.exit(0));
