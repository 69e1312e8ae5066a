// `orchestrate add`'s options as commander declares them, and as the lean path of the entry point
// reads them without commander: one list, so the two cannot drift apart.
export const ADD_OPTIONS: readonly { flags: string; description: string }[] = [
  { flags: '-a, --agent <name>', description: 'agent from orchestrator.yaml' },
  { flags: '-p, --priority <priority>', description: 'high, normal or low' },
  { flags: '-t, --timeout <duration>', description: 'e.g. 30m, 1h' },
  { flags: '--id <id>', description: 'task id (default: from the description)' },
  { flags: '--command <command>', description: 'shell command for the shell agent (default: the description)' },
  { flags: '--max-retries <n>', description: 'retries after a failure' },
  { flags: '--depends-on <ids>', description: 'comma-separated ids that must complete first' },
  { flags: '--after <ids>', description: 'comma-separated ids that must end first (completed or failed)' },
  { flags: '--when-failed <id>', description: 'run only if this task fails (skipped if it completes)' },
  {
    flags: '--parent <id>',
    description: 'the task submitting this one (an agent passes "$ORCHESTRATE_TASK_ID"); `show PARENT` lists it',
  },
  {
    flags: '-r, --role <role>',
    description: 'a role whose instructions the agent gets (backend, tests, reviewer, ...)',
  },
  { flags: '-l, --locks <paths>', description: 'comma-separated paths or globs held exclusively while it runs' },
  {
    flags: '-w, --workspace <mode>',
    description: 'shared, or worktree: its own git worktree on branch orchestrate/<id>',
  },
  { flags: '--base <ref>', description: 'with --workspace worktree: the branch, tag or commit to start from' },
  { flags: '--merge <mode>', description: 'with --workspace worktree: auto (merge when clean) or manual' },
  { flags: '-f, --file <file>', description: 'submit an existing YAML task file' },
];
