import { App, Stack, Stage } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  AcknowledgementRecord,
  acknowledgeFindings,
  collectAcknowledgements,
  groupAcknowledgements,
  renderSecurityReport,
} from '../../src/nag';

const SHARED_REASON = "CDK Pipelines' grant on this pipeline's own artifact bucket, which holds only build artifacts.";

const records: AcknowledgementRecord[] = [
  {
    ruleId: 'AwsSolutions-IAM5[Action::s3:GetObject*]',
    path: 'Delivery/Pipeline/A/Role/DefaultPolicy',
    reason: SHARED_REASON,
  },
  {
    ruleId: 'NIST.800.53.R5-IAMNoInlinePolicy',
    path: 'Delivery/Pipeline/A/Role/DefaultPolicy',
    reason: 'Role A: one generated policy for one role only.',
  },
  {
    ruleId: 'AwsSolutions-IAM5[Action::s3:GetObject*]',
    path: 'Delivery/Pipeline/B/Role/DefaultPolicy',
    reason: SHARED_REASON,
  },
  {
    ruleId: 'AwsSolutions-IAM5[Action::s3:GetObject*]',
    path: 'Delivery/Pipeline/C/Role/DefaultPolicy',
    reason: 'A different reason for the same finding id.',
  },
];

describe('collectAcknowledgements', () => {
  test('GIVEN acknowledgements inside a nested Stage WHEN collected from the App THEN each is listed once with its path, sorted by path', () => {
    // GIVEN
    const app = new App();
    const stack = new Stack(new Stage(app, 'Prod'), 'Service');
    const second = new s3.Bucket(stack, 'Second');
    const first = new s3.Bucket(stack, 'First');
    acknowledgeFindings(second, { id: 'AwsSolutions-S1', reason: 'a test bucket that needs no access logs' });
    acknowledgeFindings(first, { id: 'AwsSolutions-S1', reason: 'another test bucket without access logs' });
    // WHEN
    const collected = collectAcknowledgements(app);
    // THEN
    expect(collected).toEqual([
      { ruleId: 'AwsSolutions-S1', path: 'Prod/Service/First', reason: 'another test bucket without access logs' },
      { ruleId: 'AwsSolutions-S1', path: 'Prod/Service/Second', reason: 'a test bucket that needs no access logs' },
    ]);
  });
});

describe('groupAcknowledgements', () => {
  test('GIVEN records sharing rule and reason WHEN grouped THEN they share one group, in first-seen order, and no record is dropped', () => {
    // WHEN
    const groups = groupAcknowledgements(records);
    // THEN
    expect(groups).toEqual([
      {
        ruleId: 'AwsSolutions-IAM5[Action::s3:GetObject*]',
        reason: SHARED_REASON,
        paths: ['Delivery/Pipeline/A/Role/DefaultPolicy', 'Delivery/Pipeline/B/Role/DefaultPolicy'],
      },
      {
        ruleId: 'NIST.800.53.R5-IAMNoInlinePolicy',
        reason: 'Role A: one generated policy for one role only.',
        paths: ['Delivery/Pipeline/A/Role/DefaultPolicy'],
      },
      {
        ruleId: 'AwsSolutions-IAM5[Action::s3:GetObject*]',
        reason: 'A different reason for the same finding id.',
        paths: ['Delivery/Pipeline/C/Role/DefaultPolicy'],
      },
    ]);
    expect(groups.flatMap((group) => group.paths)).toHaveLength(records.length);
  });
});

describe('renderSecurityReport', () => {
  test('GIVEN a set WHEN rendered THEN totals count every acknowledgement and a row lists the resources sharing a rule and reason', () => {
    // WHEN
    const report = renderSecurityReport(
      [{ title: 'pipeline', description: 'A pipeline.', acknowledgements: records }],
      '# Report',
    );
    // THEN
    expect(report).toContain('| pipeline | 3 | 1 | 0 | 4 |');
    expect(report).toContain(
      '| `AwsSolutions-IAM5[Action::s3:GetObject*]` | `Delivery/Pipeline/A/Role/DefaultPolicy`<br>`Delivery/Pipeline/B/Role/DefaultPolicy` | ' +
        `${SHARED_REASON} |`,
    );
    expect(report).toContain(
      '| `AwsSolutions-IAM5[Action::s3:GetObject*]` | `Delivery/Pipeline/C/Role/DefaultPolicy` | A different reason for the same finding id. |',
    );
    expect(report.split('\n').filter((line) => line.startsWith('| `'))).toHaveLength(3);
  });

  test('GIVEN a reason with a pipe and a line break WHEN rendered THEN the table cell stays on one row', () => {
    // WHEN
    const report = renderSecurityReport(
      [
        {
          title: 'app',
          description: 'An app.',
          acknowledgements: [
            { ruleId: 'AwsSolutions-S1', path: 'App/Bucket', reason: 'logs go elsewhere | see\nthe runbook' },
          ],
        },
      ],
      '# Report',
    );
    // THEN
    expect(report).toContain('| `AwsSolutions-S1` | `App/Bucket` | logs go elsewhere \\| see the runbook |');
  });
});
