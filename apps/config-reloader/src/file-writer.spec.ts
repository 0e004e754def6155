import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileWriter } from './file-writer.js';

describe('FileWriter', () => {
  it('writes the files, removes the ones it wrote that are gone, and leaves other files alone', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'writer-')), 'config');
    const writer = new FileWriter(dir);
    expect(await writer.write({ a: Buffer.from('1'), b: Buffer.from('2') })).toEqual({
      written: ['a', 'b'],
      removed: [],
    });
    writeFileSync(join(dir, 'mine'), 'kept');
    expect(await writer.write({ b: Buffer.from('3') })).toEqual({ written: ['b'], removed: ['a'] });
    expect(readdirSync(dir).sort()).toEqual(['b', 'mine']);
    expect(readFileSync(join(dir, 'b'), 'utf8')).toBe('3');
  });

  it('refuses names that would leave the directory', async () => {
    const writer = new FileWriter(mkdtempSync(join(tmpdir(), 'writer-')));
    await expect(writer.write({ '../escape': Buffer.from('x') })).rejects.toThrow(
      'refusing to write a file named "../escape"',
    );
    await expect(writer.write({ '..': Buffer.from('x') })).rejects.toThrow(
      'refusing to write a file named ".."',
    );
  });
});
