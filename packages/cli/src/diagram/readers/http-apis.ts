import { compare, nodeKey, ofType, single, StackScope, subnetsOf, vpcKeyOf } from './stack-scope';
import {
  literalNumber,
  literalString,
  referencedId,
  referencedIds,
  resourceName,
} from '../../assembly/template-values';

/** An API Gateway HTTP API, its VPC link and the routes through it. */
export interface HttpApiView {
  readonly key: string;
  readonly name: string;
  /** Custom domain names mapped to the API, e.g. `app.example.com`. */
  readonly domains: readonly string[];
  /** Whether the execute-api endpoint is on (off when only the custom domain should answer). */
  readonly executeApiEndpoint: boolean;
  /** Default route throttling of its stages, e.g. `50/s, burst 100`. */
  readonly throttle?: string;
  /** VPC links its routes use. */
  readonly vpcLinks: ReadonlyArray<{
    readonly key: string;
    readonly vpcKey?: string;
    readonly subnetKind?: string;
    readonly azCount: number;
  }>;
  /** Routes to services: route key, the VPC link it goes through, the service. */
  readonly routes: ReadonlyArray<{
    readonly routeKey: string;
    readonly vpcLinkKey?: string;
    readonly serviceKey: string;
  }>;
}

/** Read the HTTP APIs of one stack: their routes to services (through Cloud Map), VPC links, domains and throttle. */
export function readHttpApis(scope: StackScope, serviceByCloudMapService: ReadonlyMap<string, string>): HttpApiView[] {
  const { resources } = scope;
  const httpApis: HttpApiView[] = [];
  for (const [id, resource] of ofType(scope, 'AWS::ApiGatewayV2::Api')) {
    if (resource.Properties?.ProtocolType !== 'HTTP') continue;
    const ofApi = (type: string) =>
      ofType(scope, type).filter(([, candidate]) => referencedId(candidate.Properties?.ApiId) === id);
    const vpcLinks = new Map<string, HttpApiView['vpcLinks'][number]>();
    const routes: Array<HttpApiView['routes'][number]> = [];
    for (const [, route] of ofApi('AWS::ApiGatewayV2::Route')) {
      const routeKey = literalString(route.Properties?.RouteKey) ?? '?';
      for (const integrationId of referencedIds(route.Properties?.Target)) {
        const integration = resources[integrationId];
        if (integration?.Type !== 'AWS::ApiGatewayV2::Integration') continue;
        const serviceKey = serviceByCloudMapService.get(referencedId(integration.Properties?.IntegrationUri) ?? '');
        const linkId =
          integration.Properties?.ConnectionType === 'VPC_LINK'
            ? referencedId(integration.Properties?.ConnectionId)
            : undefined;
        const link = linkId ? resources[linkId] : undefined;
        if (linkId && link?.Type === 'AWS::ApiGatewayV2::VpcLink' && !vpcLinks.has(linkId)) {
          const subnets = subnetsOf(scope, link.Properties?.SubnetIds);
          vpcLinks.set(linkId, {
            key: nodeKey(scope, linkId),
            vpcKey: vpcKeyOf(scope, subnets),
            subnetKind: single(subnets.map((subnet) => subnet.kind)),
            azCount: new Set(subnets.map((subnet) => subnet.az)).size,
          });
        }
        if (serviceKey) routes.push({ routeKey, vpcLinkKey: linkId && vpcLinks.get(linkId)?.key, serviceKey });
      }
    }
    const domains = ofApi('AWS::ApiGatewayV2::ApiMapping')
      .map(
        ([, mapping]) =>
          literalString(resources[referencedId(mapping.Properties?.DomainName) ?? '']?.Properties?.DomainName) ??
          literalString(mapping.Properties?.DomainName),
      )
      .filter((domain): domain is string => domain !== undefined)
      .sort(compare);
    const throttles = ofApi('AWS::ApiGatewayV2::Stage')
      .map(([, stage]) => stage.Properties?.DefaultRouteSettings)
      .filter((settings) => literalNumber(settings?.ThrottlingRateLimit) !== undefined)
      .map(
        (settings) =>
          `${literalNumber(settings.ThrottlingRateLimit)}/s${literalNumber(settings.ThrottlingBurstLimit) !== undefined ? `, burst ${literalNumber(settings.ThrottlingBurstLimit)}` : ''}`,
      );
    httpApis.push({
      key: nodeKey(scope, id),
      name: literalString(resource.Properties?.Name) ?? resourceName(scope.stack, id, resource),
      domains,
      executeApiEndpoint: resource.Properties?.DisableExecuteApiEndpoint !== true,
      throttle: single(throttles),
      vpcLinks: [...vpcLinks.values()],
      routes: routes.sort((a, b) => compare(a.routeKey, b.routeKey)),
    });
  }
  return httpApis;
}
