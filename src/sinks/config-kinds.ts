/**
 * Joins each sink's configuration declaration (src/sinks/<kind>/config.ts) into the config
 * registry, in the order the docs list them. Imported for its effect by whatever loads a
 * configuration (the CLI, the docs generator, the config tests), so config/ never imports a sink.
 */
import { registerSinkKinds } from '../config/sink-kinds.js';
import { elasticsearchConfig } from './elasticsearch/config.js';
import { lokiConfig } from './loki/config.js';
import { splunkHecConfig } from './splunk-hec/config.js';
import { stdoutConfig } from './stdout/config.js';

registerSinkKinds([lokiConfig, elasticsearchConfig, splunkHecConfig, stdoutConfig]);
