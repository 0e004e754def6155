import type { Faults } from '../faults/fault-injector.js';
import type { ObjectStore } from '../store/object-store.js';
import type { SeededRandom } from '../util/random.js';
import type { Watcher } from './watcher.js';

/** Resolved server settings every handler reads. */
export interface ServerSettings {
  readonly token: string;
  readonly bookmarkIntervalMs: number;
  readonly maxBodyBytes: number;
  readonly slowWatcherBytes: number;
  readonly defaultWatchTimeoutSeconds: number;
  readonly version: Readonly<Record<string, string>>;
}

/** What request handlers share: the store, settings, faults and the open watches. */
export interface ServerContext {
  readonly store: ObjectStore;
  readonly settings: ServerSettings;
  readonly faults: Faults;
  readonly random: SeededRandom;
  readonly watchers: Set<Watcher>;
  /** Called whenever a watch opens or closes. */
  watchersChanged(): void;
}
