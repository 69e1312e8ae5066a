// `npm run example`: copies the example tasks (and plan) into tasks/pending/ and runs the daemon until idle.
import { copyFileSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { examples, root, submitted } from './example-files.mjs';

mkdirSync(`${root}tasks/pending`, { recursive: true });
for (const example of examples())
  if (!submitted(example)) copyFileSync(`${root}examples/${example.name}`, `${root}tasks/pending/${example.name}`);
const cli = (...args) =>
  spawnSync(process.execPath, [`${root}dist/bin/orchestrate.js`, '-C', root, ...args], { stdio: 'inherit' });
const run = cli('run', '--until-idle', '--log-format', 'pretty');
cli('tasks');
console.log(
  '\nTask files are in tasks/*/, answers in context/agent_outputs/. Run it again after `npm run example:reset`.',
);
process.exitCode = run.status ?? 1;
