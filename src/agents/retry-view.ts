import type { EventView } from './preset.js';

// A model request the CLI retries by itself, as `logs` and the live line show it:
// "retrying (attempt 3/10): 529 overloaded". `which` is the CLI's own count ("attempt 3/10") or state.
export function retryView(which: string, reason: string): EventView {
  return { kind: 'retry', text: `retrying (${which}): ${reason}` };
}
