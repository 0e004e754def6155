// Sets each workspace package's Nx tags (module boundaries in eslint.config.mjs read them).
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';

const tagsFor = (dir) => {
  if (dir === 'libs/core') return ['scope:core'];
  if (dir === 'libs/testing') return ['scope:testing'];
  if (dir === 'libs/controller') return ['scope:controller'];
  if (dir.startsWith('libs/')) return ['scope:adapter'];
  if (dir === 'apps/shared') return ['type:app-kit'];
  if (dir.startsWith('apps/')) return ['type:app'];
  return ['type:tool'];
};
for (const folder of ['libs', 'apps', 'tools']) {
  for (const name of readdirSync(folder)) {
    const file = `${folder}/${name}/package.json`;
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8'));
    pkg.nx = { ...pkg.nx, tags: tagsFor(`${folder}/${name}`) };
    writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
  }
}
