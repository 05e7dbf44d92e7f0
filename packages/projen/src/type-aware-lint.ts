import { Component, DependencyType, javascript, JsonFile, Project } from 'projen';
import { VERSIONS } from './versions';

/** The oxlint config that holds the type-aware rules, at the root. */
export const OXLINT_CONFIG = '.oxlintrc.json';

/**
 * The type-aware rules: the two of projen's eslint rules that need TypeScript's type checker (is this expression a
 * promise?). typescript-eslint's names; oxlint calls them `typescript/<name>` and implements them with the same
 * defaults (`return-await`: `in-try-catch`).
 */
export const TYPE_AWARE_RULES = ['no-floating-promises', 'return-await'] as const;

/**
 * Lint in two tools: eslint for every rule that reads one file's syntax (projen's rules, the import plugin, prettier),
 * without a TypeScript program; oxlint with oxlint-tsgolint for the {@link TYPE_AWARE_RULES}.
 *
 * typescript-eslint builds its type information with TypeScript 6.0's JavaScript API: one program over the whole
 * repository read the standard library's and aws-cdk-lib's declarations (some 5,500 files) and made eslint two thirds
 * of the lint's CPU. oxlint-tsgolint runs the same rules on TypeScript 7's native compiler (typescript-go), for a
 * fraction of that (docs/performance.md). Each file gets the program of its nearest tsconfig.json, the one its package
 * compiles with; a file no tsconfig includes (a new project's .projenrc.ts) is still checked, in a program of its own
 * with default options, where typescript-eslint failed with "not found in the project".
 */
export class TypeAwareLint extends Component {
  /** The command that checks the type-aware rules over `dirs`, failing on any finding. */
  public readonly command: string;

  constructor(project: Project, eslint: javascript.Eslint, dirs: readonly string[]) {
    super(project);
    // eslint reads no TypeScript program (typescript-eslint builds one whenever `project` is set) and leaves the
    // type-aware rules to oxlint, which would otherwise report each finding twice.
    eslint.file.addDeletionOverride('parserOptions.project');
    for (const rule of TYPE_AWARE_RULES) delete eslint.rules[`@typescript-eslint/${rule}`];

    project.deps.addDependency(`oxlint@${VERSIONS.oxlint}`, DependencyType.BUILD);
    project.deps.addDependency(`oxlint-tsgolint@${VERSIONS.oxlintTsgolint}`, DependencyType.BUILD);

    const categories = ['correctness', 'suspicious', 'pedantic', 'perf', 'restriction', 'style', 'nursery'];
    new JsonFile(project, OXLINT_CONFIG, {
      allowComments: true,
      obj: {
        $schema: './node_modules/oxlint/configuration_schema.json',
        // The type-aware rules only: every other rule is eslint's (above), and oxlint's own defaults are off.
        plugins: ['typescript'],
        categories: Object.fromEntries(categories.map((category) => [category, 'off'])),
        options: { typeAware: true },
        rules: Object.fromEntries(TYPE_AWARE_RULES.map((rule) => [`typescript/${rule}`, 'error'])),
        // eslint's, so that both tools check the same files.
        ignorePatterns: () => eslint.ignorePatterns,
      },
    });
    this.command = `oxlint --deny-warnings ${dirs.join(' ')}`;
  }
}
