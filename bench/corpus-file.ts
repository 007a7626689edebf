/**
 * The bench corpus of a given size, written once to bench/out/ (bench/corpus.ts) and reused by
 * later runs, with its counts beside it in a .json file.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeCorpus } from './corpus.js';

export interface CorpusFile {
  readonly path: string;
  readonly lines: number;
  /** Valid audit events: what every sink must receive. */
  readonly audit: number;
  readonly bytes: number;
}

export async function corpusFile(outDir: string, lines: number): Promise<CorpusFile> {
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `corpus-${lines}.log`);
  const meta = file + '.json';
  if (existsSync(file) && existsSync(meta)) return JSON.parse(readFileSync(meta, 'utf8')) as CorpusFile;
  const r = await writeCorpus(file, lines);
  const c = { path: file, lines: r.lines, audit: r.audit, bytes: r.bytes };
  writeFileSync(meta, JSON.stringify(c));
  return c;
}
