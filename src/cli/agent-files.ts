import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, relative } from 'node:path';
import type { KnowledgeInput } from '../core/agents/agents.ts';
import { UsageError } from './command-line.ts';

const MEDIA_TYPES: Record<string, KnowledgeInput['mediaType']> = { '.md': 'text/markdown', '.markdown': 'text/markdown', '.txt': 'text/plain' };

async function readText(path: string, flag: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${flag} ${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** Every .md/.txt file under a folder, sorted by path; other files are skipped. */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && MEDIA_TYPES[extname(e.name).toLowerCase()])
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/**
 * The documents that --knowledge PATH… names: a file (.md, .markdown or .txt) is one document
 * named after the file; a folder gives each such file under it, named by its path in the folder.
 */
export async function readKnowledge(paths: readonly string[]): Promise<KnowledgeInput[]> {
  const documents: KnowledgeInput[] = [];
  for (const path of paths) {
    const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
      throw new UsageError(`--knowledge ${path}: cannot read (${err.code ?? err.message})`);
    });
    if (info.isDirectory()) {
      const files = await filesUnder(path);
      if (files.length === 0) throw new UsageError(`--knowledge ${path}: the folder holds no .md or .txt file`);
      for (const file of files) {
        documents.push({ name: relative(path, file), content: await readText(file, '--knowledge'), mediaType: MEDIA_TYPES[extname(file).toLowerCase()] });
      }
    } else {
      const mediaType = MEDIA_TYPES[extname(path).toLowerCase()];
      if (!mediaType) throw new UsageError(`--knowledge ${path}: must be a .md or .txt file, or a folder of them`);
      documents.push({ name: basename(path), content: await readText(path, '--knowledge'), mediaType });
    }
  }
  return documents;
}

export async function readInstructions(flags: { instructions?: string; 'instructions-file'?: string }): Promise<string | undefined> {
  if (flags['instructions-file'] !== undefined) return readText(flags['instructions-file'], '--instructions-file');
  return flags.instructions;
}

/** `--handoff on|off` as the agent's handOff setting; absent: unchanged. */
export function handOffFlag(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'on' || value === 'off') return value === 'on';
  throw new UsageError('--handoff must be on or off');
}
