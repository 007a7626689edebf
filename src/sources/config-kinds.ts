/**
 * Joins each input's configuration declaration (src/sources/<kind>/config.ts) into the config
 * registry. Imported for its effect by whatever loads a configuration (the CLI, the docs
 * generator, the config tests), so config/ never imports a source.
 */
import { registerInputKinds } from '../config/input-kinds.js';
import { fileConfig } from './files/config.js';
import { forwardConfig } from './forward/config.js';
import { stdinConfig } from './stdin/config.js';

registerInputKinds([stdinConfig, fileConfig, forwardConfig]);
