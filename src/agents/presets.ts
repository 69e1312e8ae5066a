import type { AgentConfig } from '../core/config-schema.js';
import { commandAgent } from './command-agent.js';
import type { AgentPreset } from './preset.js';
import { shellPreset } from './shell-preset.js';

const PRESETS: Record<string, AgentPreset> = { shell: shellPreset };

// The preset names orchestrator.yaml may use.
export const PRESET_NAMES = Object.keys(PRESETS);

// The preset that drives an agent: its named preset, or the generic command runner.
export function presetFor(agent: AgentConfig): AgentPreset {
  return agent.preset === undefined ? commandAgent : PRESETS[agent.preset]!;
}
