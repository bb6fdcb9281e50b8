/** Boundary entries (see harness.ts): ops, transforms, trees, inspection. */
import type { Entry } from './harness.js';

export const autodiffEntries: Entry[] = [];
