import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The directory holding package.json. Code runs both from src/ (tsx, vitest) and from dist/src/
 * (compiled), so data files (schemas/, config/) are found by walking up rather than by a fixed
 * relative path.
 */
export function projectRoot(from: string = import.meta.dirname): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'schemas'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no project root above ${from}`);
    dir = parent;
  }
}
