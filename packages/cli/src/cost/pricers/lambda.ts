import { isRotationFunction } from './database';
import { ResourcePricer, ResourcePricers } from './pricer';

const reportLambda: ResourcePricer = (context, id, resource) =>
  isRotationFunction(context, id)
    ? context.addFree(
        resource,
        'a Secrets Manager rotation function; its invocations are priced on the rotation schedule',
      )
    : context.addNotPriced(
        id,
        resource,
        'Lambda is billed per request and GB-second, which the template does not tell; CDK custom-resource handlers run only while deploying',
      );

/** Lambda functions: reported, never priced (the template does not tell their usage). */
export const LAMBDA_PRICERS: ResourcePricers = {
  'AWS::Lambda::Function': reportLambda,
};
