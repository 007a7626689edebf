/** `npm run docs:config`: writes docs/config.md from the declarations (scripts/config-docs.ts). */
import { writeFile } from 'node:fs/promises';
import { OUTPUT, renderConfigDocs } from './config-docs.js';

await writeFile(OUTPUT, await renderConfigDocs());
