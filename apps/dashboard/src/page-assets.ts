import { readFileSync } from 'node:fs';

/**
 * The page's static files by URL path (`/`, `/app.js`, `/style.css`), read once from `page/`.
 *
 * @example
 * ```ts
 * const asset = readPage().get('/app.js'); // { type: 'text/javascript; charset=utf-8', body: Buffer }
 * ```
 */
export type PageAssets = ReadonlyMap<string, { readonly type: string; readonly body: Buffer }>;

const FILES: readonly (readonly [path: string, file: string, type: string])[] = [
  ['/', 'index.html', 'text/html; charset=utf-8'],
  ['/app.js', 'app.js', 'text/javascript; charset=utf-8'],
  ['/chart.js', 'chart.js', 'text/javascript; charset=utf-8'],
  ['/style.css', 'style.css', 'text/css; charset=utf-8'],
];

/**
 * Reads the page's files next to this module.
 *
 * @example
 * ```ts
 * const page = readPage();
 * ```
 */
export function readPage(): PageAssets {
  return new Map(
    FILES.map(([path, file, type]) => [
      path,
      { type, body: readFileSync(new URL(`./page/${file}`, import.meta.url)) },
    ]),
  );
}
