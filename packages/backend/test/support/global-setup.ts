import { createPgliteImages } from './pglite-images';

// Once per jest run, before any test file: see pglite-images.ts.
export default createPgliteImages;
