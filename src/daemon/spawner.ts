import { RunnerPool, type Launched } from '../process/runner-pool.js';
import { runnerCommand, type SpawnRequest } from '../process/runner-script.js';
import { agentEnv } from '../core/agent-environment.js';
import type { AgentConfig } from '../core/config-schema.js';
import { agentFolder } from '../queue/input-paths.js';
import { writeRunRecord, type RunRecord } from '../queue/run-files.js';
import type { DaemonContext } from './context.js';

// The per-run variables a runner shell sets itself for each run it takes.
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

// Agents whose runs may be short (`shell` tasks, `command:` agents): their runners are started
// with the daemon. An AI CLI takes seconds to start, so its first runner is started on demand.
const startsQuickly = (agent: AgentConfig) => agent.preset === 'shell' || agent.command !== undefined;

// Starts agent runs on runner shells: each run's command line (an argv agent's quoted words, or a
// `shell` task's script) goes to an idle runner with the run's id and attempt.
export class Spawner {
  private readonly runners: RunnerPool;

  constructor(private readonly ctx: DaemonContext) {
    this.runners = new RunnerPool({
      slots: () => ctx.config().maxConcurrent,
      killGraceMs: () => ctx.config().killGraceMs,
    });
    this.warmUpRunners();
  }

  // Starts runners for the agents whose runs may be short now, so a burst of tasks does not wait
  // for the daemon to fork one runner after another (each fork stalls its event loop for
  // milliseconds). Twice the slots: a runner is preferably left idle until its group was looked at.
  private warmUpRunners(): void {
    const config = this.ctx.config();
    const environment = this.ctx.environment();
    const { layout } = this.ctx;
    for (const [name, agent] of Object.entries(config.agents)) {
      if (!startsQuickly(agent)) continue;
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

  // Records the run with the runner it is handed to (run.json, before the runner is told: a run is
  // recorded before it starts), then hands it over.
  start(request: SpawnRequest, record: RunRecord): Promise<Launched> {
    const { launch, cwd, env, runDir } = request;
    return this.runners.launch(
      { cwd, env: runnerEnv(env, launch.env), runsDir: this.ctx.layout.runsDir },
      { id: record.task_id, attempt: record.attempt, command: runnerCommand(launch) },
      (runner) => writeRunRecord(runDir, { ...record, runner }),
    );
  }

  // Lets the runners go; the agents they run keep running.
  close(): void {
    this.runners.close();
  }
}
