import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

/** The frontend package's folder. */
export const PACKAGE_DIR = path.resolve(__dirname, '..');

/** Folder of every built file's URL path: everything under it is content-hashed and cached for a year. */
export const ASSETS_DIR = 'assets';

/** Browsers the production build targets: the evergreen releases of early 2023 onwards. */
export const BROWSER_TARGETS = ['chrome111', 'edge111', 'firefox114', 'safari16.4'];

/** Template references esbuild builds; any other "./" reference is copied with a content hash. */
const CODE_EXTENSIONS = new Set(['.ts', '.tsx', '.js', '.jsx', '.mjs', '.css']);

/** A `src`/`href` attribute in index.html that names a source file, e.g. `src="./main.ts"`. */
const SOURCE_REFERENCE = /<(script|link)\b([^>]*?)\b(src|href)="\.\/([^"]+)"([^>]*)>/g;

/** How a build is made. */
export type BuildMode = 'production' | 'development';

/** Options for {@link buildSite} and {@link createSiteBuilder}. */
export interface SiteBuildOptions {
  /** Production: minified, source maps apart. Development: readable, with linked source maps. */
  readonly mode: BuildMode;
  /**
   * Folder holding `index.html` and the sources it references.
   * @default "<package>/src"
   */
  readonly srcDir?: string;
}

/** One finished build, in memory: paths relative to the site root, with forward slashes. */
export interface SiteBuild {
  /** Every file the web server serves (`index.html`, `assets/main-5XHTYJ3N.js`, ...). */
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** Production source maps, kept apart from `files` so they never reach the image. */
  readonly sourcemaps: ReadonlyMap<string, Uint8Array>;
  /** The files a first visit loads: index.html and everything it references. */
  readonly firstLoad: readonly string[];
}

/**
 * Builds the site once, in memory. esbuild bundles each script and stylesheet
 * that index.html references; the rendered index.html points at their
 * content-hashed outputs under /assets/.
 */
export async function buildSite(options: SiteBuildOptions): Promise<SiteBuild> {
  const plan = planBuild(options);
  const result = await esbuild.build(plan.esbuildOptions);
  return plan.collect(result);
}

/** Writes a finished build to disk: the site into `outDir` (emptied first), source maps into `sourcemapDir`. */
export function writeSite(build: SiteBuild, outDir: string, sourcemapDir?: string): void {
  const targets: [ReadonlyMap<string, Uint8Array>, string | undefined][] = [
    [build.files, outDir],
    [build.sourcemaps, sourcemapDir],
  ];
  for (const [files, dir] of targets) {
    if (dir === undefined) continue;
    fs.rmSync(dir, { recursive: true, force: true });
    for (const [relative, contents] of files) {
      const target = path.join(dir, ...relative.split('/'));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, contents);
    }
  }
}

/** A long-lived builder for the development server: rebuilds on every source change. */
export interface SiteBuilder {
  /** Starts watching the sources; `onBuild` runs after every build, with the errors if it failed, and how long it took. */
  watch(onBuild: (build: SiteBuild | undefined, errors: readonly string[], durationMs: number) => void): Promise<void>;
  dispose(): Promise<void>;
}

/** Creates a {@link SiteBuilder} that rebuilds when a source or index.html changes. */
export async function createSiteBuilder(options: SiteBuildOptions): Promise<SiteBuilder> {
  const plan = planBuild(options);
  let listener: ((build: SiteBuild | undefined, errors: readonly string[], durationMs: number) => void) | undefined;
  let started = performance.now();
  const notify: esbuild.Plugin = {
    name: 'slipway-site',
    setup(build) {
      // index.html is not part of esbuild's module graph: loading an entry point makes esbuild watch it too.
      build.onLoad({ filter: /\.(ts|tsx|js|jsx|mjs|css)$/ }, async (args) => {
        if (!plan.entryPaths.has(args.path)) return undefined;
        const extension = path.extname(args.path).slice(1);
        const loader: esbuild.Loader = extension === 'mjs' ? 'js' : (extension as esbuild.Loader);
        return { contents: await fs.promises.readFile(args.path), loader, watchFiles: [plan.templatePath] };
      });
      build.onStart(() => {
        started = performance.now();
      });
      build.onEnd((result) => {
        const took = () => Math.round(performance.now() - started);
        if (result.errors.length > 0) {
          listener?.(undefined, formatMessages(result.errors), took());
          return;
        }
        try {
          const site = plan.collect(result);
          listener?.(site, [], took());
        } catch (error) {
          listener?.(undefined, [error instanceof Error ? error.message : String(error)], took());
        }
      });
    },
  };
  const context = await esbuild.context({ ...plan.esbuildOptions, plugins: [notify], logLevel: 'silent' });
  return {
    async watch(onBuild) {
      listener = onBuild;
      await context.watch();
    },
    dispose: () => context.dispose(),
  };
}

interface BuildPlan {
  readonly templatePath: string;
  readonly entryPaths: ReadonlySet<string>;
  readonly esbuildOptions: esbuild.BuildOptions & { write: false; metafile: true };
  collect(result: esbuild.BuildResult<{ write: false; metafile: true }>): SiteBuild;
}

function planBuild(options: SiteBuildOptions): BuildPlan {
  const srcDir = path.resolve(options.srcDir ?? path.join(PACKAGE_DIR, 'src'));
  const templatePath = path.join(srcDir, 'index.html');
  const production = options.mode === 'production';
  const references = findReferences(readTemplate(templatePath), srcDir);
  const entryPaths = new Set(
    references.filter((ref) => CODE_EXTENSIONS.has(path.extname(ref.file))).map((ref) => ref.file),
  );
  // Never written: outputs are collected in memory and their paths made relative to it.
  const outdir = path.join(srcDir, '.site');

  const esbuildOptions: esbuild.BuildOptions & { write: false; metafile: true } = {
    absWorkingDir: srcDir,
    entryPoints: [...entryPaths],
    outdir,
    outbase: srcDir,
    bundle: true,
    // ES modules with code splitting, so a framework's lazy-loaded routes become their own hashed chunks.
    format: 'esm',
    splitting: true,
    entryNames: `${ASSETS_DIR}/[name]-[hash]`,
    chunkNames: `${ASSETS_DIR}/[name]-[hash]`,
    assetNames: `${ASSETS_DIR}/[name]-[hash]`,
    publicPath: '/',
    loader: { '.svg': 'file', '.png': 'file', '.jpg': 'file', '.webp': 'file', '.avif': 'file', '.woff2': 'file' },
    target: BROWSER_TARGETS,
    minify: production,
    // Production maps are written apart (external: no sourceMappingURL comment, so browsers never ask for them).
    sourcemap: production ? 'external' : 'linked',
    sourcesContent: true,
    // Frameworks (React, Vue, ...) read this to drop their development-only checks.
    define: { 'process.env.NODE_ENV': JSON.stringify(options.mode) },
    legalComments: production ? 'eof' : 'inline',
    metafile: true,
    write: false,
    logLevel: 'silent',
  };

  function collect(result: esbuild.BuildResult<{ write: false; metafile: true }>): SiteBuild {
    const files = new Map<string, Uint8Array>();
    const sourcemaps = new Map<string, Uint8Array>();
    for (const file of result.outputFiles) {
      const relative = toPosix(path.relative(outdir, file.path));
      (production && relative.endsWith('.map') ? sourcemaps : files).set(relative, file.contents);
    }
    const metaOutputs = new Map(
      Object.entries(result.metafile.outputs).map(([key, output]) => [urlOf(path.resolve(srcDir, key)), output]),
    );
    // Which output each entry point became.
    const entryUrls = new Map<string, string>();
    for (const [url, output] of metaOutputs) {
      if (output.entryPoint) entryUrls.set(path.resolve(srcDir, output.entryPoint), url);
    }
    const firstLoad = new Set<string>(['index.html']);
    // An entry's first load is the entry, the chunks it imports statically, and the CSS esbuild split off them.
    const addFirstLoad = (url: string): void => {
      if (firstLoad.has(url.slice(1))) return;
      firstLoad.add(url.slice(1));
      const output = metaOutputs.get(url);
      for (const imported of output?.imports ?? []) {
        if (imported.kind === 'import-statement' && !imported.external) {
          addFirstLoad(urlOf(path.resolve(srcDir, imported.path)));
        }
      }
    };

    const template = readTemplate(templatePath);
    const html = template.replace(
      SOURCE_REFERENCE,
      (_tag: string, name: string, before: string, attribute: string, reference: string, after: string) => {
        const file = path.resolve(srcDir, reference);
        let url: string;
        let extraStylesheet = '';
        if (CODE_EXTENSIONS.has(path.extname(file))) {
          const entryUrl = entryUrls.get(file);
          if (!entryPaths.has(file) || entryUrl === undefined) {
            throw new Error(
              `${templatePath} references ./${reference}, which was not an entry point when this build started; restart the build.`,
            );
          }
          url = entryUrl;
          const cssBundle = metaOutputs.get(url)?.cssBundle;
          if (cssBundle) {
            const cssUrl = urlOf(path.resolve(srcDir, cssBundle));
            extraStylesheet = `<link rel="stylesheet" href="${cssUrl}">`;
            addFirstLoad(cssUrl);
          }
        } else {
          const contents = fs.readFileSync(file);
          const relative = hashedName(reference, contents);
          files.set(relative, contents);
          url = `/${relative}`;
        }
        addFirstLoad(url);
        return `${extraStylesheet}<${name}${before}${attribute}="${url}"${after}>`;
      },
    );
    files.set('index.html', Buffer.from(production ? html.replace(/<!--[\s\S]*?-->\s*/g, '') : html));
    return { files, sourcemaps, firstLoad: [...firstLoad] };
  }

  function urlOf(absolute: string): string {
    return `/${toPosix(path.relative(outdir, absolute))}`;
  }

  return { templatePath, entryPaths, esbuildOptions, collect };
}

interface Reference {
  /** As written in the template, e.g. "./main.ts". */
  readonly reference: string;
  /** Absolute path of the file it names. */
  readonly file: string;
}

function readTemplate(templatePath: string): string {
  if (!fs.existsSync(templatePath)) {
    throw new Error(`No page template at ${templatePath}: the build starts from index.html in the source folder.`);
  }
  return fs.readFileSync(templatePath, 'utf8');
}

function findReferences(template: string, srcDir: string): Reference[] {
  const references = [...template.matchAll(SOURCE_REFERENCE)].map((match) => ({
    reference: `./${match[4]}`,
    file: path.resolve(srcDir, match[4]),
  }));
  const missing = references.filter((ref) => !fs.existsSync(ref.file));
  if (missing.length > 0) {
    throw new Error(
      `${path.join(srcDir, 'index.html')} references ${missing.map((ref) => ref.reference).join(', ')}, which ${missing.length === 1 ? 'does' : 'do'} not exist in ${srcDir}.`,
    );
  }
  if (!references.some((ref) => CODE_EXTENSIONS.has(path.extname(ref.file)))) {
    throw new Error(
      `${path.join(srcDir, 'index.html')} references no script or stylesheet as "./file"; nothing to build.`,
    );
  }
  return references;
}

/** `assets/<name>-<hash><ext>` for a file copied as is, the hash taken from its contents. */
function hashedName(reference: string, contents: Uint8Array): string {
  const extension = path.extname(reference);
  const base = path.basename(reference, extension);
  const hash = createHash('sha256').update(contents).digest('hex').slice(0, 10).toUpperCase();
  return `${ASSETS_DIR}/${base}-${hash}${extension}`;
}

function toPosix(relative: string): string {
  return relative.split(path.sep).join('/');
}

function formatMessages(messages: readonly esbuild.Message[]): string[] {
  return messages.map((message) =>
    message.location
      ? `${message.location.file}:${message.location.line}:${message.location.column}: ${message.text}`
      : message.text,
  );
}
