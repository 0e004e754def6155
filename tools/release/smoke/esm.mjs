// `node esm.mjs <package>`: the package's check with every module loaded by import(), so Node
// resolves the packages' "import" conditions (dist/index.js).
import run from './run.cjs';

await run.runCheck(process.argv[2], 'esm', (id) => import(id), (id) => import.meta.resolve(id));
