import { unsupportedPlatform } from '../../core/platform.js';
import { CliError } from './errors.js';

// The one place that asks which system this is: `start`, `run` and `doctor` refuse where the daemon
// cannot run (native Windows), saying what to do instead.
export function refuseUnsupportedPlatform(): void {
  const problem = unsupportedPlatform(process.platform);
  if (problem) throw new CliError(problem);
}
