import { ResourcePricer, ResourcePricers, same } from './pricer';
import { literalString } from '../../assembly/template-values';

const priceApiGatewayV2Api: ResourcePricer = (context, id, resource) => {
  const protocol = literalString(resource.Properties?.ProtocolType);
  if (protocol !== 'HTTP') {
    context.addNotPriced(
      id,
      resource,
      `${protocol ?? 'an unresolved'} API: only HTTP APIs are in the price table (WebSocket APIs bill messages and connection minutes)`,
    );
    return;
  }
  const requests = context.assume('httpApiRequestsPerMonth');
  context.addLine(id, resource, {
    item: 'API Gateway HTTP API requests',
    detail: `${requests.toLocaleString('en-US')} requests`,
    priceId: 'apigateway.http.million-requests',
    quantity: same(requests / 1_000_000),
    assumptions: ['httpApiRequestsPerMonth'],
  });
};

/** API Gateway: HTTP APIs by their requests. */
export const API_GATEWAY_PRICERS: ResourcePricers = {
  'AWS::ApiGatewayV2::Api': priceApiGatewayV2Api,
};
