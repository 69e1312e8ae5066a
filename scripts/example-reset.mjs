// `npm run example:reset`: removes the example tasks' files so `npm run example` can run them again.
import { readdirSync, rmSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
for (const name of readdirSync(`${root}examples`)) {
  const id = name.replace(/\.yaml$/, '');
  for (const state of ['pending', 'assigned', 'completed', 'failed']) {
    rmSync(`${root}tasks/${state}/${name}`, { force: true });
    rmSync(`${root}tasks/${state}/${id}.error`, { force: true });
  }
  rmSync(`${root}context/agent_outputs/${id}.md`, { force: true });
  rmSync(`${root}.orchestrate/runs/${id}`, { recursive: true, force: true });
}
