import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** One ```ts block: where it is, its code, and why it is not compiled when it opts out. */
export interface ExampleBlock {
  /** The file, relative to the workspace root, with `/` separators. */
  readonly file: string;
  /** The 1-based line of the block's first code line in `file`. */
  readonly line: number;
  readonly code: string;
  readonly origin: 'readme' | 'tsdoc';
  /** The reason given by `// example: not compiled (reason)` on the block's first line. */
  readonly optOut?: string;
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)(.*)$/;
/** A one-line block, as TSDoc allows: `@example ```ts informers.informer(Pods); ``` `. */
const INLINE = /(`{3,})(?:ts|typescript)[ \t]+(.*?)[ \t]*\1(?!`)/g;
/** Every opening of a ```ts block, to prove that none was missed. */
export const TS_FENCE = /(`{3,}|~{3,})[ \t]*(?:ts|typescript)(?![\w-])/g;
const OPT_OUT = /^\s*\/\/\s*example:\s*not compiled\s*\((.+)\)\s*$/;
const TS_LANGS = new Set(['ts', 'typescript']);

/**
 * The ```ts blocks of Markdown lines. `firstLine` is the 0-based file line of `lines[0]`; fences may be
 * indented (list items), and the indentation of the opening fence is removed from the code.
 */
export function markdownBlocks(
  lines: readonly string[],
  firstLine: number,
  file: string,
  origin: ExampleBlock['origin'],
): ExampleBlock[] {
  const blocks: ExampleBlock[] = [];
  const push = (line: number, codeLines: readonly string[]) => {
    const firstCode = codeLines.find((l) => l.trim() !== '') ?? '';
    const optOut = OPT_OUT.exec(firstCode)?.[1]?.trim();
    blocks.push({
      file,
      line: firstLine + line + 1,
      code: codeLines.join('\n'),
      origin,
      ...(optOut === undefined ? {} : { optOut }),
    });
  };
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] ?? '';
    const open = FENCE.exec(text);
    // A backtick fence's info string holds no backtick: such a line is inline code, not a fence.
    if (!open || (open[2]?.startsWith('`') && open[4]?.includes('`'))) {
      for (const inline of text.matchAll(INLINE)) push(i, [inline[2] ?? '']);
      continue;
    }
    const [, indent = '', marker = '', lang = ''] = open;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !isClosingFence(lines[end] ?? '', marker)) end++;
    i = end;
    if (!TS_LANGS.has(lang.toLowerCase())) continue;
    push(
      start,
      lines.slice(start, end).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart())),
    );
  }
  return blocks;
}

function isClosingFence(line: string, marker: string): boolean {
  const trimmed = line.trim();
  return trimmed.length >= marker.length && trimmed === (marker[0] ?? '`').repeat(trimmed.length);
}

/** The ```ts blocks of every TSDoc comment (`/** … *\/`) of a TypeScript file, leading ` * ` removed. */
export function tsdocBlocks(text: string, file: string): ExampleBlock[] {
  const blocks: ExampleBlock[] = [];
  for (const match of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const comment = match[0];
    if (!comment.includes('```')) continue;
    const firstLine = text.slice(0, match.index).split('\n').length - 1;
    const lines = comment
      .slice(3, -2)
      .split('\n')
      .map((l) => l.replace(/^\s*\* ?/, ''));
    blocks.push(...markdownBlocks(lines, firstLine, file, 'tsdoc'));
  }
  return blocks;
}

/** Every README.md of the root, `libs/*`, `apps/*` and `tools/*`, and every non-spec `src/**\/*.ts` of libs and apps. */
export function exampleSources(root: string): { readmes: string[]; sources: string[] } {
  const readmes = [join(root, 'README.md')];
  const sources: string[] = [];
  for (const group of ['libs', 'apps', 'tools']) {
    for (const project of subdirectories(join(root, group))) {
      const dir = join(root, group, project);
      if (readdirSync(dir).includes('README.md')) readmes.push(join(dir, 'README.md'));
      if (group !== 'tools') sources.push(...typeScriptFiles(join(dir, 'src')));
    }
  }
  return { readmes, sources };
}

/**
 * Every example block of the workspace, README blocks first, each group in path order, and the
 * files where fewer blocks were read than ```ts fences written (a block no rule here reads would
 * otherwise go unchecked without a word).
 */
export function extractExamples(root: string): { blocks: ExampleBlock[]; unread: string[] } {
  const { readmes, sources } = exampleSources(root);
  const rel = (path: string) => relative(root, path).split('\\').join('/');
  const blocks: ExampleBlock[] = [];
  const unread: string[] = [];
  for (const path of [...readmes, ...sources]) {
    const text = readFileSync(path, 'utf8');
    const found = path.endsWith('.md')
      ? markdownBlocks(text.split('\n'), 0, rel(path), 'readme')
      : tsdocBlocks(text, rel(path));
    const fences = [...text.matchAll(TS_FENCE)].length;
    if (found.length !== fences) {
      unread.push(
        `${rel(path)}: ${fences} \`\`\`ts fences, ${found.length} blocks read (outside a TSDoc comment?)`,
      );
    }
    blocks.push(...found);
  }
  return { blocks, unread };
}

function subdirectories(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

function typeScriptFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => {
      const path = join(dir, e.name);
      if (e.isDirectory()) return e.name === 'node_modules' ? [] : typeScriptFiles(path);
      return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') && !e.name.endsWith('.d.ts')
        ? [path]
        : [];
    });
}
