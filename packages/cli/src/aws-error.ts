/**
 * One line for an AWS SDK error that the person at the terminal can act on:
 * no stack trace, the cause in words and what to do about it.
 *
 * @param error what the SDK threw
 * @param permission the IAM action the call needs, named when access is denied
 */
export function explainAwsError(error: unknown, permission?: string): string {
  const name = (error as { name?: unknown })?.name;
  const errorName = typeof name === 'string' ? name : 'Error';
  const message = ((error as Error)?.message ?? String(error)).replace(/\s+/g, ' ').trim();
  if (/region is missing/i.test(message)) {
    return "no AWS region configured. Set AWS_REGION (or the profile's region) and try again.";
  }
  if (errorName === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return 'no AWS credentials found. Log in (`aws sso login --profile <profile>`, then AWS_PROFILE=<profile>) and try again.';
  }
  if (
    ['ExpiredToken', 'ExpiredTokenException', 'RequestExpired'].includes(errorName) ||
    /token.*expired|expired.*token|session.*expired/i.test(message)
  ) {
    return 'your AWS credentials have expired. Log in again (`aws sso login --profile <profile>`) and try again.';
  }
  if (['InvalidClientTokenId', 'UnrecognizedClientException', 'SignatureDoesNotMatch'].includes(errorName)) {
    return `AWS does not accept these credentials (${errorName}). Check AWS_PROFILE or the access keys in your environment.`;
  }
  if (isAccessDenied(error)) {
    return `access denied${permission ? ` to ${permission}` : ''} (${message}). Use a role that allows it, e.g. the account's administrator or read-only role.`;
  }
  return `${errorName}: ${message}`;
}

/** Whether an SDK error is the service's error of this name (`ResourceNotFoundException`, `NoSuchEntity`, …). */
export function isNamed(error: unknown, name: string): boolean {
  return (error as { name?: unknown })?.name === name;
}

/** Whether an SDK error says the caller's credentials may not do this (each service names it its own way). */
export function isAccessDenied(error: unknown): boolean {
  const name = (error as { name?: unknown })?.name;
  return (
    typeof name === 'string' &&
    ['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'AuthorizationError'].includes(name)
  );
}
