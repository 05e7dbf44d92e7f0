const THROTTLING_ERROR_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
]);

/**
 * Whether an AWS SDK error means "slow down" rather than "wrong": the SDK
 * already retries these a few times; the CLI's polling loops retry them again
 * within their own deadline instead of failing the pipeline.
 */
export function isThrottlingError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { name?: unknown; $retryable?: { throttling?: boolean } };
  return (
    (typeof candidate.name === 'string' && THROTTLING_ERROR_NAMES.has(candidate.name)) ||
    candidate.$retryable?.throttling === true
  );
}
