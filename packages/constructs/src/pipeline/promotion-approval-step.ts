import * as sns from 'aws-cdk-lib/aws-sns';
import { ManualApprovalStep } from 'aws-cdk-lib/pipelines';

/** What the approver is shown about the environment that was verified before this one. */
export interface VerifiedPredecessor {
  /** Its name, e.g. `dev`. */
  readonly environment: string;
  /** Its URL, as verified (a pipeline variable). */
  readonly url: string;
  /** The one-line result of its `slipway verify` (a pipeline variable). */
  readonly verification: string;
  /** The pipeline stage whose Verify action log has the details. */
  readonly stageName: string;
}

/** Props of `PromotionApprovalStep`. */
export interface PromotionApprovalStepProps {
  /** The environment about to be deployed, e.g. `prod`. */
  readonly environment: string;
  /** Its account and region, shown so nobody approves the wrong target. */
  readonly target: string;
  /** `owner/name@branch` of the source. */
  readonly source: string;
  /** The commit being promoted (a pipeline variable). */
  readonly commit: string;
  /**
   * The environment verified just before this one.
   * @default - this is the first environment; nothing was verified before it
   */
  readonly predecessor?: VerifiedPredecessor;
  /**
   * Topic notified when the approval is waiting.
   * @default - no notification
   */
  readonly notificationTopic?: sns.ITopic;
}

/**
 * The manual approval before an environment whose config asks for one. Its
 * comment tells the approver what is being promoted (commit), what was
 * verified before (the previous environment's URL and `slipway verify`
 * result) and where to look; the review link opens the verified URL.
 *
 * The commit, URL and result are CodePipeline variables produced by earlier
 * actions; CodePipeline fills them in when the approval starts.
 */
export class PromotionApprovalStep extends ManualApprovalStep {
  constructor(id: string, props: PromotionApprovalStepProps) {
    const lines = [`Promote commit ${props.commit} of ${props.source} to ${props.environment} (${props.target}).`];
    const predecessor = props.predecessor;
    if (predecessor) {
      lines.push(
        `${predecessor.environment} is running it and passed verification: ${predecessor.verification}`,
        `Try it at ${predecessor.url} before approving. Details: the Verify action of the ${predecessor.stageName} stage in this pipeline, ` +
          `and \`npx slipway status --env ${predecessor.environment}\`.`,
      );
    } else {
      lines.push(
        "No environment runs this commit yet: review the commit and the Build stage's test results before approving.",
      );
    }
    lines.push('Reject to stop this commit here; a later push starts a new execution.');
    super(id, { comment: lines.join('\n'), reviewUrl: predecessor?.url, notificationTopic: props.notificationTopic });
    // The comment carries other steps' outputs (pipeline variables): register
    // them so CDK Pipelines gives those actions a variables namespace.
    this.discoverReferencedOutputs({ comment: this.comment, reviewUrl: this.reviewUrl });
  }
}
