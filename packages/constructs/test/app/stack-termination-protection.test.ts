import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { StackTerminationProtection } from '../../src/app';
import { TestStack } from '../fixtures/stacks';

describe('StackTerminationProtection', () => {
  // GIVEN a stack with a topic before the protection and one added after it (as ApplicationStage adds its
  // verification role after SlipwayAppStack's constructor)
  const stack = new TestStack();
  new sns.Topic(stack, 'Before');
  const protection = new StackTerminationProtection(stack, 'TerminationProtection');
  new sns.Topic(stack, 'After');
  // WHEN synthesized
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, any>;
  const [protectionId, resource] = Object.entries(resources).find(([, r]) => r.Type === 'Custom::AWS')!;

  test('THEN it enables termination protection of its own stack on create and update, and disables it on delete', () => {
    const call = (phase: string) =>
      JSON.parse(
        (resource.Properties[phase]['Fn::Join'][1] as unknown[])
          .map((part) => (typeof part === 'string' ? part : 'STACK_ID'))
          .join(''),
      );
    for (const phase of ['Create', 'Update']) {
      expect(call(phase)).toMatchObject({
        service: 'CloudFormation',
        action: 'updateTerminationProtection',
        parameters: { StackName: 'STACK_ID', EnableTerminationProtection: true },
      });
    }
    // A stack being deleted refuses the call (any status but DELETE_IN_PROGRESS/DELETE_COMPLETE is allowed).
    expect(call('Delete')).toMatchObject({
      parameters: { StackName: 'STACK_ID', EnableTerminationProtection: false },
      ignoreErrorCodesMatching: '.*',
    });
    expect(resource.Properties.Create['Fn::Join'][1]).toContainEqual({ Ref: 'AWS::StackId' });
  });

  test('THEN its function may only change termination protection of this stack', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          { Action: 'cloudformation:UpdateTerminationProtection', Effect: 'Allow', Resource: { Ref: 'AWS::StackId' } },
        ],
      },
    });
  });

  test('THEN it is created after every other resource but its own provider, even those added after it', () => {
    const provider = resource.Properties.ServiceToken['Fn::GetAtt'][0];
    const providerRole = resources[provider].Properties.Role['Fn::GetAtt'][0];
    const others = Object.keys(resources).filter(
      (id) => ![protectionId, provider, providerRole].includes(id) && !id.startsWith('TerminationProtection'),
    );
    expect(others).toEqual(expect.arrayContaining([expect.stringMatching(/^Before/), expect.stringMatching(/^After/)]));
    expect(resource.DependsOn).toEqual(expect.arrayContaining(others));
    expect(resource.DependsOn).not.toContain(provider);
    expect(protection.resource).toBeDefined();
  });
});
