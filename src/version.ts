/**
 * wirety-ship's own version, read from package.json: `--version` prints it and /metrics exports it
 * in wirety_ship_build_info. `../package.json` is the project root both from src/ (tsx) and dist/
 * (tsc), which is why this file sits at the top of src/.
 */
import { readFile } from 'node:fs/promises';

export async function readVersion(): Promise<string> {
  const text = await readFile(new URL('../package.json', import.meta.url), 'utf8');
  const version = (JSON.parse(text) as { version?: unknown }).version;
  return typeof version === 'string' ? version : 'unknown';
}
