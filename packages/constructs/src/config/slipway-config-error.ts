/**
 * One problem found in an environment's settings or a construct's props.
 */
export interface ConfigIssue {
  /** Dotted path of the offending field, e.g. `services.backend.desiredCount`. */
  readonly field: string;
  /** The value that was received (rendered as JSON in the message). */
  readonly value: unknown;
  /** What the field must be, phrased to follow the field name: "must be ≥ 2 when highAvailability is on". */
  readonly problem: string;
  /** What to do about it: "Raise desiredCount or turn highAvailability off." */
  readonly fix: string;
}

/**
 * The single error type for bad Slipway settings, whether they come from an
 * `environments/<name>.ts` file or from a construct's props.
 *
 * Each line of the message names the source (file or construct path), the
 * field, the value received and the fix, so the person on call can act on it
 * without reading Slipway's source.
 */
export class SlipwayConfigError extends Error {
  /**
   * Build an error for a single problem.
   * @param source config file (`environments/prod.ts`) or construct path
   * @param issue the field, the value received, what it must be and the fix
   */
  public static of(source: string, issue: ConfigIssue): SlipwayConfigError {
    return new SlipwayConfigError(source, [issue]);
  }

  /** Config file or construct path the issues were found in. */
  public readonly source: string;
  /** Every problem found, in the order they were detected. */
  public readonly issues: readonly ConfigIssue[];

  constructor(source: string, issues: readonly ConfigIssue[]) {
    super(issues.map((issue) => formatIssue(source, issue)).join('\n'));
    this.name = 'SlipwayConfigError';
    this.source = source;
    this.issues = issues;
  }
}

function formatIssue(source: string, issue: ConfigIssue): string {
  return `${source}: ${issue.field} ${issue.problem}; got ${renderValue(issue.value)}. ${issue.fix}`;
}

function renderValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  try {
    const json = JSON.stringify(value);
    return json.length > 120 ? `${json.slice(0, 117)}...` : json;
  } catch {
    return String(value);
  }
}
