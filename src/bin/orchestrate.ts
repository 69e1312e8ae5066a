#!/usr/bin/env node
import { reportFailure } from '../cli/support/errors.js';
import { readAddArgv, readStatusArgv } from '../cli/support/lean-argv.js';
import { submitTask } from '../cli/support/submit-task.js';
import { existingWorkspace } from '../cli/support/workspace.js';

// The entry point, built as CommonJS. The commands run most, a plain `add` (what agents run) and
// `status`, take lean paths that load neither commander nor the ES module loader (a third of add's
// time, a tenth of status's): add is inlined here; status is dist/bin/status.js, CommonJS too, with
// the YAML parser and schemas it reads inlined. Every other command, and any add or status line not
// read here (help, an unknown option, a missing value), goes to the full program, which says what is wrong.
const args = process.argv.slice(2);
const add = readAddArgv(args);
const status = add ? undefined : readStatusArgv(args);
if (add) {
  Promise.resolve()
    .then(() => submitTask(existingWorkspace(add.root), add.words, add.options))
    .catch(reportFailure);
} else if (status) {
  Promise.resolve()
    .then(() => {
      const { statusCommand } = require('./status.js') as typeof import('../cli/status.js');
      return statusCommand(existingWorkspace(status.root), status);
    })
    .catch(reportFailure);
} else {
  void import('./program.js');
}
