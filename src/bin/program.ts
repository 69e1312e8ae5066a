import { Command, CommanderError, Option } from 'commander';
// Inlined by esbuild at build time: the bundle never reads package.json.
import packageJson from '../../package.json' with { type: 'json' };
import { ADD_OPTIONS } from '../cli/support/add-options.js';
import { reportFailure } from '../cli/support/errors.js';
import { print, printJson as json } from '../cli/support/print.js';
import { existingWorkspace, workspaceLayout } from '../cli/support/workspace.js';

// Every command, its options and help (the entry point, orchestrate.ts, loads this for all but the
// plainest `add`). The one place that exits: commands return text or throw CliError; usage errors exit 2.
const program = new Command();
program
  .name('orchestrate')
  .description('Run a team of CLI coding agents in parallel from a folder of YAML task files.')
  .version(packageJson.version, '-V, --version', 'print the version')
  .option('-C, --root <dir>', 'workspace folder (default: nearest folder with orchestrator.yaml)')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

// Commands need a workspace made by `init`; init, stop and doctor also work where there is none.
const layout = () => existingWorkspace(program.opts<{ root?: string }>().root);
const anyLayout = () => workspaceLayout(program.opts<{ root?: string }>().root);
// The commands that run the daemon or check a setup say at once, before anything else, where they cannot work.
const refuseUnsupportedPlatform = async () => (await import('../cli/support/platform.js')).refuseUnsupportedPlatform();

program
  .command('init')
  .description('create orchestrator.yaml, tasks/ and context/ in the workspace')
  .action(async () => {
    const { init } = await import('../cli/init.js');
    const created = init(anyLayout());
    print(created.length > 0 ? `created ${created.join(', ')}` : 'already initialised');
  });

program
  .command('start')
  .description('start the daemon in the background and return once it is up')
  .option(
    '--agents <slots>',
    "this run's agents and their slots, e.g. claude:2,codex:1 (tasks without an agent run on them)",
  )
  .action(async (options: { agents?: string }) => {
    await refuseUnsupportedPlatform();
    const { startDaemon } = await import('../cli/start.js');
    print(await startDaemon(layout(), options));
  });

program
  .command('run')
  .description('run the daemon in the foreground (Ctrl-C stops it; agents keep running)')
  .option('--until-idle', 'exit once nothing runs and no pending task can start (exit 1 if some never can)')
  .addOption(
    new Option(
      '--log-format <format>',
      'log lines as json or pretty (default: pretty on a terminal, json otherwise)',
    ).choices(['json', 'pretty']),
  )
  .option(
    '--agents <slots>',
    "this run's agents and their slots, e.g. claude:2,codex:1 (tasks without an agent run on them)",
  )
  .action(async (options: { untilIdle?: boolean; logFormat?: string; agents?: string }) => {
    await refuseUnsupportedPlatform();
    const { runForeground } = await import('../cli/run.js');
    await runForeground(layout(), options);
  });

program
  .command('stop')
  .description('stop the daemon; running agents keep running for the next daemon')
  .option('--kill-agents', 'also stop every running agent (their tasks go back to pending/)')
  .option('--wait', 'stop claiming, let running agents finish, then exit')
  .action(async (options: { killAgents?: boolean; wait?: boolean }) => {
    const { stopDaemon } = await import('../cli/stop.js');
    print(await stopDaemon(anyLayout(), options));
  });

const add = program
  .command('add')
  .alias('submit')
  .description('submit a task; prints its id')
  .argument('[description...]', 'what the agent should do (the prompt)');
for (const { flags, description } of ADD_OPTIONS) add.option(flags, description);
// Unknown options are description words (`add "- x"`); add-words refuses those meant as options.
add.allowUnknownOption().action(async (words: string[], options: Record<string, string | undefined>) => {
  const { checkDescriptionWords } = await import('../cli/support/add-words.js');
  checkDescriptionWords(
    words,
    add.options.flatMap((option) => option.long ?? []),
    process.argv,
  );
  const { submitTask } = await import('../cli/support/submit-task.js');
  await submitTask(layout(), words, options);
});

program
  .command('plan')
  .description(
    'submit a plan: a YAML file whose tasks: list expands into tasks <plan>.<name>, all or none; prints their ids',
  )
  .argument('<file>', 'the plan file')
  .option('-n, --dry-run', 'print the waves it would run in; write nothing')
  .option('--parent <id>', 'the task submitting the plan (an agent passes "$ORCHESTRATE_TASK_ID")')
  .option('--json', 'machine-readable output')
  .action(async (file: string, options: { dryRun?: boolean; parent?: string; json?: boolean }) => {
    const target = layout();
    const { submitPlan } = await import('../cli/plan.js');
    const submitted = submitPlan(target, file, options);
    if (options.json) json(submitted.report);
    else print(submitted.text);
    if (options.dryRun) return;
    const { ringDaemon } = await import('../cli/support/ring.js');
    await ringDaemon(target, submitted.ids);
  });

program
  .command('wait')
  .description('wait until tasks end; exit 0 if all completed, 1 if any failed (or the timeout passed)')
  .argument('<ids...>', 'task ids')
  .option('-t, --timeout <duration>', 'give up after this long, e.g. 30m')
  .option('--json', 'print the outcomes as JSON at the end instead of a line per task')
  .action(async (ids: string[], options: { timeout?: string; json?: boolean }) => {
    const { waitForTasks, waitLine } = await import('../cli/wait.js');
    const outcome = await waitForTasks(layout(), ids, options, (result) => {
      if (!options.json) print(waitLine(result));
    });
    if (options.json) json(outcome.results);
    process.exitCode = outcome.code;
  });

program
  .command('status')
  .description('counts per folder, the daemon, agent slots and running tasks')
  .option('--json', 'machine-readable output')
  .action(async (options: { json?: boolean }) => {
    const { statusCommand } = await import('../cli/status.js');
    await statusCommand(layout(), options);
  });

program
  .command('tasks')
  .description('list tasks')
  .option('-s, --status <states>', 'pending, assigned (running, active), completed (done), failed; comma-separated')
  .option('--json', 'machine-readable output')
  .action(async (options: { status?: string; json?: boolean }) => {
    const { listTasks, parseStates, renderTasks, tasksJson } = await import('../cli/tasks.js');
    const target = layout();
    const tasks = await listTasks(target, parseStates(options.status));
    // One line: with 10,000 tasks, indentation alone doubles the time to print.
    if (options.json) process.stdout.write(tasksJson(tasks));
    else print(renderTasks(target, tasks));
  });

program
  .command('show')
  .alias('task')
  .description('show a task file, its state and its runs')
  .argument('<id>')
  .option('--json', 'machine-readable output')
  .action(async (id: string, options: { json?: boolean }) => {
    const { showTask } = await import('../cli/show.js');
    print(await showTask(layout(), id, options.json ?? false));
  });

program
  .command('logs')
  .description("print a task's agent output (stdout; stderr goes to stderr)")
  .argument('<id>')
  .option('-f, --follow', 'keep printing until the run ends')
  .option('--attempt <n>', 'which attempt (default: the latest)')
  .option('--raw', "an AI agent's JSON lines as they are (default: messages, → tool calls, ✓/✗ at the end)")
  .action(async (id: string, options: { follow?: boolean; attempt?: string; raw?: boolean }) => {
    const { showLogs } = await import('../cli/logs.js');
    await showLogs(layout(), id, options);
  });

program
  .command('cancel')
  .alias('kill')
  .description('cancel a pending or running task (its agent tree is stopped)')
  .argument('<id>')
  .action(async (id: string) => {
    const { cancelTask } = await import('../cli/cancel.js');
    print(await cancelTask(layout(), id));
  });

program
  .command('retry')
  .description('move a failed task back to pending with a fresh set of retries')
  .argument('<id>')
  .action(async (id: string) => {
    const { retryTask } = await import('../cli/retry.js');
    const target = layout();
    await retryTask(target, id);
    const { sendControl } = await import('../control/control-socket.js');
    await sendControl(target, { cmd: 'ring', ids: [id] }, 1000);
    print(`${id} is pending again`);
  });

program
  .command('clean')
  .alias('cleanup')
  .description(
    'remove the worktrees and branches of tasks whose work is merged (or that changed nothing); keep the rest, saying why',
  )
  .option('-n, --dry-run', 'say what would be removed; remove nothing')
  .option('--json', 'machine-readable output')
  .action(async (options: { dryRun?: boolean; json?: boolean }) => {
    const { cleanCommand, renderClean } = await import('../cli/clean.js');
    const report = await cleanCommand(layout(), options);
    if (options.json) json(report);
    else print(renderClean(report));
  });

program
  .command('doctor')
  .description('check the agent CLIs, each configured agent and orchestrator.yaml, with fixes')
  .option('--json', 'machine-readable output')
  .action(async (options: { json?: boolean }) => {
    await refuseUnsupportedPlatform();
    const { doctor, renderDoctor } = await import('../cli/doctor.js');
    const report = await doctor(anyLayout());
    if (options.json) json(report);
    else print(renderDoctor(report));
    if (!report.ok) process.exitCode = 1;
  });

program
  .command('agents')
  .description('list configured agents and their slots')
  .option('--json', 'machine-readable output')
  .action(async (options: { json?: boolean }) => {
    const { listAgents, renderAgents } = await import('../cli/agents.js');
    const rows = await listAgents(layout());
    if (options.json) json(rows);
    else print(renderAgents(rows));
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exitCode = error.exitCode === 0 ? 0 : 2;
  else reportFailure(error);
}
