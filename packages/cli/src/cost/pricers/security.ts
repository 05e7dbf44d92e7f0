import { flat, plural, ResourcePricer, ResourcePricers, same } from './pricer';

const priceWebAcl: ResourcePricer = (context, id, resource) => {
  context.addLine(id, resource, { item: 'WAF web ACL', detail: '', priceId: 'waf.web-acl', quantity: same(1) });
  const rules = Array.isArray(resource.Properties?.Rules) ? resource.Properties.Rules.length : 0;
  if (rules > 0) {
    context.addLine(id, resource, {
      item: 'WAF rules',
      detail: plural(rules, 'rule'),
      priceId: 'waf.rule',
      quantity: same(rules),
    });
  }
  context.addNotPriced(
    id,
    resource,
    'WAF requests ($0.60 per million in us-east-1) depend on traffic and are not priced',
  );
};

/** KMS keys, Secrets Manager secrets and WAF web ACLs. */
export const SECURITY_PRICERS: ResourcePricers = {
  'AWS::KMS::Key': flat('KMS customer managed keys', 'kms.key', 'key'),
  'AWS::SecretsManager::Secret': flat('Secrets Manager secrets', 'secretsmanager.secret', 'secret'),
  'AWS::WAFv2::WebACL': priceWebAcl,
};
