import { environmentValue } from '../../build-tools/fargate-contract/check';

describe('environmentValue: a task environment value as the container would see it', () => {
  test('a plain string is itself', () => {
    expect(environmentValue('5432')).toBe('5432');
  });

  test('an endpoint address CloudFormation resolves at deploy becomes a host name that never resolves (.invalid, RFC 6761)', () => {
    expect(environmentValue({ 'Fn::GetAtt': ['DatabaseCluster5B53A178', 'Endpoint.Address'] })).toBe(
      'databasecluster5b53a178.unresolved.invalid',
    );
  });

  test('an endpoint port becomes a port number', () => {
    expect(environmentValue({ 'Fn::GetAtt': ['CacheServerlessCache', 'Endpoint.Port'] })).toMatch(/^\d{1,5}$/);
  });

  test('any other unresolved value stays JSON, which a strict reader refuses as it should', () => {
    expect(environmentValue({ Ref: 'Something' })).toBe('{"Ref":"Something"}');
  });
});
