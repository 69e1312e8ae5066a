// `npm run example`: copies the example tasks into tasks/pending/ and runs the daemon until idle.
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
mkdirSync(`${root}tasks/pending`, { recursive: true });
for (const name of readdirSync(`${root}examples`)) {
  const inUse = ['pending', 'assigned', 'completed', 'failed'].some((state) => existsSync(`${root}tasks/${state}/${name}`));
  if (!inUse) copyFileSync(`${root}examples/${name}`, `${root}tasks/pending/${name}`);
}
const cli = (...args) => spawnSync(process.execPath, [`${root}dist/bin/orchestrate.js`, '-C', root, ...args], { stdio: 'inherit' });
const run = cli('run', '--until-idle', '--log-format', 'pretty');
cli('tasks');
console.log('\nTask files are in tasks/*/, answers in context/agent_outputs/. Run it again after `npm run example:reset`.');
process.exitCode = run.status ?? 1;
