import { libConfig } from '../../tools/scripts/tsup-lib.js';

export default libConfig({ entry: ['src/index.ts', 'src/cli.ts'] });
