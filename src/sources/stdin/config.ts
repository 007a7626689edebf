/**
 * The stdin input's configuration: no keys of its own (the shared limits are in `input:`). One
 * stdin input at most, since two would read the same stream.
 */
import type { InputKind } from '../../config/input-kinds.js';

export const stdinConfig: InputKind = {
  type: 'stdin',
  own: {},
};
