import { App, Stage, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { SlipwayConfigError } from '../config/slipway-config-error';

/** Shortest acknowledgement reason accepted: long enough to say why the finding is safe here. */
export const MIN_ACKNOWLEDGEMENT_REASON_LENGTH = 20;

/** A cdk-nag finding accepted for one construct, and why. */
export interface Acknowledgement {
  /** The narrowest finding id, e.g. `AwsSolutions-IAM5[Resource::*]` or `NIST.800.53.R5-ALBWAFEnabled`. */
  readonly id: string;
  /** Why the finding is safe for this resource; at least 20 characters. */
  readonly reason: string;
}

/**
 * Acknowledge cdk-nag findings on the construct that owns the resource.
 *
 * Wraps `Validations.of(scope).acknowledge` and refuses what Slipway's rules
 * forbid: an App or Stage scope (that would hide the finding everywhere) and a
 * reason too short to explain anything.
 *
 * @throws SlipwayConfigError for a Stage/App scope or a reason under 20 characters
 */
export function acknowledgeFindings(scope: IConstruct, ...acknowledgements: Acknowledgement[]): void {
  if (App.isApp(scope) || Stage.isStage(scope)) {
    throw SlipwayConfigError.of(scope.node.path || '(app)', {
      field: 'scope',
      value: scope.node.id || 'App',
      problem: 'must be the construct that owns the resource, not an App or Stage',
      fix: 'Acknowledge on the resource (or the construct that creates it) so the finding stays visible elsewhere.',
    });
  }
  for (const acknowledgement of acknowledgements) {
    if (acknowledgement.reason.trim().length < MIN_ACKNOWLEDGEMENT_REASON_LENGTH) {
      throw SlipwayConfigError.of(scope.node.path, {
        field: `acknowledgement ${acknowledgement.id} reason`,
        value: acknowledgement.reason,
        problem: `must be at least ${MIN_ACKNOWLEDGEMENT_REASON_LENGTH} characters`,
        fix: 'Say why this finding is safe for this resource.',
      });
    }
  }
  Validations.of(scope).acknowledge(...acknowledgements);
}

/**
 * Acknowledge NIST IAMNoInlinePolicy on a CDK-managed role: CDK writes each
 * role's grants to an `AWS::IAM::Policy` attached to that role only, scoped to
 * the resources the grants name.
 *
 * @param role the role construct (its `DefaultPolicy` child is where the finding is)
 * @param purpose what the role is for, quoted in the reason
 */
export function acknowledgeInlinePolicy(role: IConstruct, purpose: string): void {
  acknowledgeFindings(role, {
    id: 'NIST.800.53.R5-IAMNoInlinePolicy',
    reason: `${purpose}: CDK generates this single-role policy from least-privilege grants on named resources; a managed policy would hold the same statements.`,
  });
}
