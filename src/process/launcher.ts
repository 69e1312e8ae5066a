import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { LAUNCHER_MARKER } from './process-table.js';

// How a run's wrapper or runner reported its end.
export interface AgentExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Launched {
  pid: number;
  // Resolves with the wrapper's exit, or with `undefined` if the launcher died first (then poll).
  exited: Promise<AgentExit | undefined>;
  // Hands a reusable process (a runner shell) back once the run is over and its leftovers are gone.
  release?: () => void;
}

interface Pending {
  started: (result: { pid: number } | { error: string }) => void;
  exited: (result: AgentExit | undefined) => void;
}

// The built launcher beside the bundle (dist/launcher.js); absent when running from sources.
const LAUNCHER_PATH = fileURLToPath(new URL('../launcher.js', import.meta.url));

// Spawns agent wrappers through the launcher process, starting it on first use and again if it dies.
export class LauncherClient {
  private child: ChildProcess | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  // runsDir: the workspace's runs folder, carried in the launcher's environment so that a launcher
  // left by a crashed daemon can be found (see leftoverLaunchers).
  constructor(private readonly runsDir: string) {}

  // Whether the launcher can be used (the built bundle); otherwise the daemon spawns directly.
  static available(): boolean {
    return existsSync(LAUNCHER_PATH);
  }

  // Starts the launcher now, so the first agents do not wait ~0.1 s for Node to start it.
  warmUp(): void {
    this.ensure();
  }

  private ensure(): ChildProcess {
    if (this.child) return this.child;
    const child = spawn(process.execPath, [LAUNCHER_PATH], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, [LAUNCHER_MARKER]: this.runsDir },
    });
    createInterface({ input: child.stdout! }).on('line', (line) => this.onMessage(line));
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
      for (const [id, entry] of this.pending) {
        entry.started({ error: 'the launcher process exited' });
        entry.exited(undefined);
        this.pending.delete(id);
      }
    });
    child.stdin!.on('error', () => undefined);
    this.child = child;
    return child;
  }

  private onMessage(line: string): void {
    const message = JSON.parse(line) as {
      id: number;
      pid?: number;
      error?: string;
      exit?: number | null;
      signal?: NodeJS.Signals | null;
    };
    const entry = this.pending.get(message.id);
    if (!entry) return;
    if (message.pid !== undefined) entry.started({ pid: message.pid });
    else if (message.error !== undefined) {
      entry.started({ error: message.error });
      entry.exited(undefined);
      this.pending.delete(message.id);
    } else if ('exit' in message) {
      entry.exited({ code: message.exit ?? null, signal: message.signal ?? null });
      this.pending.delete(message.id);
    }
  }

  // Asks the launcher to start `/bin/sh args` detached; resolves with its pid once it runs.
  launch(args: string[], cwd: string, env: Record<string, string>): Promise<Launched> {
    const id = ++this.nextId;
    let resolveExit!: Pending['exited'];
    const exited = new Promise<AgentExit | undefined>((resolve) => (resolveExit = resolve));
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        started: (result) => ('pid' in result ? resolve({ pid: result.pid, exited }) : reject(new Error(result.error))),
        exited: resolveExit,
      });
      this.ensure().stdin!.write(`${JSON.stringify({ id, args, cwd, env })}\n`);
    });
  }

  // Lets the launcher go (it exits when its stdin closes); the agents it started keep running.
  close(): void {
    this.child?.stdin?.end();
    this.child?.unref();
    this.child = undefined;
  }
}
