import { Token } from 'aws-cdk-lib';
import { SlipwayTaskServiceProps } from './service-props';
import { fargateTaskSizeIssue } from '../config/fargate-sizes';
import { DNS_LABEL } from '../config/shared-rules';
import { SlipwayConfigError } from '../config/slipway-config-error';
import { scheduleIssues } from '../schedule/awake-hours';

/**
 * Refuse service props that would fail at deploy time or break Slipway's guarantees, naming the construct path, the
 * prop, the value and the fix.
 *
 * @param path the service's construct path
 * @param size the resolved task size
 * @param port whether the service must listen on `containerPort` ('required', the default) or on none (a worker)
 * @throws SlipwayConfigError for the first problem found
 */
export function validateServiceProps(
  path: string,
  props: SlipwayTaskServiceProps & { readonly containerPort?: number },
  size: { readonly cpu: number; readonly memoryLimitMiB: number },
  port: 'required' | 'none' = 'required',
): void {
  if (!DNS_LABEL.test(props.serviceName)) {
    throw SlipwayConfigError.of(path, {
      field: 'serviceName',
      value: props.serviceName,
      problem: 'must be a lowercase DNS label (letters, digits, hyphens)',
      fix: 'Use e.g. backend or worker.',
    });
  }
  if (port === 'required' && props.containerPort === undefined) {
    throw SlipwayConfigError.of(path, {
      field: 'containerPort',
      value: undefined,
      problem: 'is required for a service that is reached over the network',
      fix: 'Use the port the container listens on, e.g. 8000; a process that listens on no port is a WorkerService.',
    });
  }
  if (port === 'none' && props.containerPort !== undefined) {
    throw SlipwayConfigError.of(path, {
      field: 'containerPort',
      value: props.containerPort,
      problem: 'must not be set for a worker, which listens on no port',
      fix: 'Remove containerPort, or make it an InternalService if other services call it.',
    });
  }
  if (
    props.containerPort !== undefined &&
    !Token.isUnresolved(props.containerPort) &&
    (!Number.isInteger(props.containerPort) || props.containerPort < 1 || props.containerPort > 65535)
  ) {
    throw SlipwayConfigError.of(path, {
      field: 'containerPort',
      value: props.containerPort,
      problem: 'must be a TCP port (1–65535)',
      fix: 'Use the port the container listens on, e.g. 8000.',
    });
  }
  const sizeIssue = fargateTaskSizeIssue({
    cpu: size.cpu,
    memory: size.memoryLimitMiB,
    field: 'memoryLimitMiB',
    memoryName: 'memoryLimitMiB',
  });
  if (sizeIssue) throw new SlipwayConfigError(path, [sizeIssue]);
  if (props.user !== undefined && /^(root|0)(:|$)/.test(props.user)) {
    throw SlipwayConfigError.of(path, {
      field: 'user',
      value: props.user,
      problem: 'must not be root',
      fix: "Run as the image's unprivileged user, e.g. '1000' (node) or '101' (nginx-unprivileged).",
    });
  }
  if (props.schedule) {
    const issues = scheduleIssues({ timezone: props.schedule.timeZone.timezoneName, awake: props.schedule.awake });
    if (issues.length > 0) {
      throw new SlipwayConfigError(
        path,
        issues.map((issue) => ({
          ...issue,
          field: issue.field === 'timezone' ? 'schedule.timeZone' : `schedule.${issue.field}`,
        })),
      );
    }
  }
  for (const writablePath of props.writablePaths ?? []) {
    if (!writablePath.startsWith('/') || writablePath === '/') {
      throw SlipwayConfigError.of(path, {
        field: 'writablePaths',
        value: writablePath,
        problem: 'must be an absolute path other than /',
        fix: "Use e.g. '/tmp'.",
      });
    }
  }
}
