import { removePgliteImages } from './pglite-images';

export default removePgliteImages;
