import { ResourcePricer, ResourcePricers } from './pricer';

const reportLambda: ResourcePricer = (context, id, resource) =>
  context.addNotPriced(
    id,
    resource,
    'Lambda is billed per request and GB-second, which the template does not tell; CDK custom-resource handlers run only while deploying',
  );

/** Lambda functions: reported, never priced (the template does not tell their usage). */
export const LAMBDA_PRICERS: ResourcePricers = {
  'AWS::Lambda::Function': reportLambda,
};
