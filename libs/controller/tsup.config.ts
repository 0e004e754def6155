import { libConfig } from '../../tools/scripts/tsup-lib.js';

export default libConfig();
