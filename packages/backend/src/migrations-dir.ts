import * as path from 'node:path';

/**
 * Where the SQL migrations are: `migrations/` beside `src/` in the package, and beside `dist/` in the image
 * (`/app/migrations`). This file sits directly in `src/` so that `__dirname` is `src/` from the sources and
 * `dist/` in a bundle, and the same relative path works from both.
 */
export const MIGRATIONS_DIR = path.join(__dirname, '..', 'migrations');
