// `npm run example:reset`: removes the files the example tasks left, so `npm run example` can run them again.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { examples, idsOf, root, STATES } from './example-files.mjs';

for (const example of examples()) {
  for (const id of [example.id, ...idsOf(example)]) {
    for (const state of STATES) {
      rmSync(`${root}tasks/${state}/${id}.yaml`, { force: true });
      rmSync(`${root}tasks/${state}/${id}.error`, { force: true });
    }
    rmSync(`${root}context/agent_outputs/${id}.md`, { force: true });
    rmSync(`${root}.orchestrate/runs/${id}`, { recursive: true, force: true });
  }
  // A plan is kept in tasks/plans/ once expanded (as <plan>.yaml, or <plan>-2.yaml when the name was taken).
  if (!example.plan || !existsSync(`${root}tasks/plans`)) continue;
  for (const name of readdirSync(`${root}tasks/plans`)) {
    if (new RegExp(`^${example.id}(-\\d+)?\\.yaml$`).test(name)) rmSync(`${root}tasks/plans/${name}`, { force: true });
  }
}
