/**
 * Finding a Chromium for the browser suite, without downloading one.
 *
 * The search order is: `TAPEGRAD_CHROMIUM` (a path to the binary), the usual install locations
 * (Debian/Ubuntu, Google Chrome, snap, macOS), then every directory on PATH. The first file that
 * exists and is executable wins. What was tried, and why a given `TAPEGRAD_CHROMIUM` was not
 * used, is kept for the message printed when nothing is found.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface ChromiumSearch {
  /** The binary to launch, if one was found. */
  readonly found: string | undefined;
  /** A one-line reason when nothing was found (what was looked at, and how to fix it). */
  readonly reason: string;
}

const LOCATIONS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];

function executable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Looks for Chromium as described in the module comment. `locations` replaces the usual install
 * locations (tests pass `[]` to search only what they control).
 */
export function findChromium(
  env: NodeJS.ProcessEnv = process.env,
  locations: readonly string[] = LOCATIONS,
): ChromiumSearch {
  const explicit = env['TAPEGRAD_CHROMIUM'];
  let note = '';
  if (explicit !== undefined && explicit !== '') {
    if (executable(explicit)) return { found: explicit, reason: '' };
    note = `TAPEGRAD_CHROMIUM=${explicit} is not an executable file; `;
  }
  for (const path of locations) if (executable(path)) return { found: path, reason: '' };
  const dirs = (env['PATH'] ?? '').split(delimiter).filter((d) => d !== '');
  for (const dir of dirs)
    for (const name of NAMES) if (executable(join(dir, name))) return { found: join(dir, name), reason: '' };
  return {
    found: undefined,
    reason:
      `${note}no Chromium ${locations.length > 0 ? `in ${locations.slice(0, 5).join(', ')} or ` : ''}on PATH (${NAMES.join(', ')}). ` +
      'Install one (Debian/Ubuntu: apt-get install chromium) or set TAPEGRAD_CHROMIUM to its binary to run the browser suite.',
  };
}
