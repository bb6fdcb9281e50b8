/** Boundary entries (see harness.ts) — being enrolled. */
import type { Entry } from './harness.js';

export const applicationEntries: Entry[] = [];
