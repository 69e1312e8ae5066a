import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LauncherClient, type AgentExit, type Launched } from '../process/launcher.js';
import { RunnerPool } from '../process/runner-pool.js';
import { spawnRun, wrapperArgs, wrapperEnv, type SpawnRequest } from '../process/spawn-run.js';
import { agentEnv } from '../core/agent-environment.js';
import { agentFolder } from '../queue/input-paths.js';
import type { DaemonContext } from './context.js';

// The per-run variables a runner shell sets itself for each task it runs.
const RUN_VARIABLES = new Set(['ORCHESTRATE_TASK_ID', 'ORCHESTRATE_ATTEMPT', 'ORCHESTRATE_PROMPT_FILE']);

// A runner's environment: the agent's, without what differs from one run to the next.
function runnerEnv(
  env: Record<string, string | undefined>,
  launchEnv: Record<string, string> | undefined,
): Record<string, string> {
  const shared: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...env, ...launchEnv }))
    if (value !== undefined && !RUN_VARIABLES.has(name)) shared[name] = value;
  return shared;
}

// Starts agent runs: a `shell` task on a runner shell (its script in runs/<id>/<n>/command), an
// argv agent under its wrapper through the launcher, or from this process when run from sources
// (there is no launcher bundle then).
export class Spawner {
  private readonly runners: RunnerPool;

  constructor(
    private readonly ctx: DaemonContext,
    private readonly launcher: LauncherClient | undefined = LauncherClient.available()
      ? new LauncherClient(ctx.layout.runsDir)
      : undefined,
  ) {
    this.runners = new RunnerPool(() => ctx.config().maxConcurrent);
    this.launcher?.warmUp();
    this.warmUpRunners();
  }

  // Starts runner shells for the `shell` agents now, so a burst of tasks does not wait for the
  // daemon to fork one runner after another (each fork stalls its event loop for milliseconds).
  // Twice the slots: a runner is looked at for leftovers before it takes its next task.
  private warmUpRunners(): void {
    const config = this.ctx.config();
    const environment = this.ctx.environment();
    const { layout } = this.ctx;
    for (const [name, agent] of Object.entries(config.agents)) {
      if (agent.preset !== 'shell') continue;
      // Where its runs will start (the same path, so they take these runners), and only there.
      const folder = agentFolder(layout.root, agent, name, 'workspace');
      if (folder.kind !== 'ready') continue;
      this.runners.warmUp(
        {
          cwd: folder.path,
          env: runnerEnv(agentEnv(environment, layout.root, agent), undefined),
          runsDir: layout.runsDir,
        },
        2 * Math.min(agent.max_instances, config.maxConcurrent),
      );
    }
  }

  start(request: SpawnRequest, id: string, attempt: number): Promise<Launched> {
    const { launch, cwd, env } = request;
    if (launch.kind === 'shell') {
      writeFileSync(join(request.runDir, 'command'), launch.script);
      return this.runners.launch(
        { cwd, env: runnerEnv(env, launch.env), runsDir: this.ctx.layout.runsDir },
        id,
        attempt,
      );
    }
    if (this.launcher) return this.launcher.launch(wrapperArgs(launch), cwd, wrapperEnv(request));
    return spawnHere(request);
  }

  // Lets the launcher and the runners go; the agents they started keep running.
  close(): void {
    this.launcher?.close();
    this.runners.close();
  }
}

// Spawns a run's wrapper from this process, in the launcher's terms.
function spawnHere(request: SpawnRequest): Promise<Launched> {
  return new Promise((resolve, reject) => {
    const child = spawnRun(request);
    const exited = new Promise<AgentExit>((done) => child.once('exit', (code, signal) => done({ code, signal })));
    if (child.pid === undefined) child.once('error', reject);
    else resolve({ pid: child.pid, exited });
  });
}
