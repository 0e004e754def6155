import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** ConfigMap and Secret keys: `[-._a-zA-Z0-9]+`, and never `.` or `..` (the API server enforces it too). */
const VALID_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * Writes a set of files into a directory so a reader never sees a half-written one (each is
 * written to a temporary name and renamed), and removes the files it wrote before that are no
 * longer in the set. Files it did not write are left alone.
 *
 * @example
 * ```ts
 * const writer = new FileWriter('/etc/app');
 * await writer.write({ 'app.properties': Buffer.from('name=web\n') });
 * ```
 */
export class FileWriter {
  private written = new Set<string>();

  constructor(readonly dir: string) {}

  /** Writes `files`; resolves with the names written and removed. */
  async write(files: Readonly<Record<string, Buffer>>): Promise<{ written: string[]; removed: string[] }> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const names = Object.keys(files).sort();
    for (const name of names) {
      if (!VALID_KEY.test(name) || name === '.' || name === '..')
        throw new Error(`refusing to write a file named "${name}"`);
      const temporary = join(this.dir, `.${name}.${process.pid}.tmp`);
      await writeFile(temporary, files[name]!, { mode: 0o600 });
      await rename(temporary, join(this.dir, name));
    }
    const present = new Set(await readdir(this.dir));
    const removed = [...this.written].filter((name) => !(name in files) && present.has(name));
    for (const name of removed) await rm(join(this.dir, name), { force: true });
    this.written = new Set(names);
    return { written: names, removed };
  }
}
