import type { DataStoreView, EnvironmentArchitecture, ServiceView } from './architecture-model';
import type { PipelineView } from './pipeline-model';

/** Text safe inside a quoted Mermaid label. */
function label(text: string): string {
  return text.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

/** Label lines joined with Mermaid line breaks. */
function lines(...parts: Array<string | undefined>): string {
  return parts
    .filter((part): part is string => part !== undefined && part !== '')
    .map(label)
    .join('<br/>');
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
}

/** `1–4 tasks · 0.25 vCPU / 0.5 GB · Fargate Spot` */
export function serviceSummary(service: ServiceView): string {
  const tasks = service.tasks
    ? service.tasks.min === service.tasks.max
      ? `${service.tasks.min} task${service.tasks.min === 1 ? '' : 's'}`
      : `${service.tasks.min}–${service.tasks.max} tasks`
    : undefined;
  const size =
    service.cpuUnits !== undefined && service.memoryMiB !== undefined
      ? `${formatNumber(service.cpuUnits / 1024)} vCPU / ${formatNumber(service.memoryMiB / 1024)} GB`
      : undefined;
  return [tasks, size, service.capacity].filter((part) => part !== undefined).join(' · ');
}

function azText(count: number, azs: readonly string[]): string {
  return azs.length > 0 ? `${count} × (${azs.join(', ')})` : `${count}`;
}

/**
 * A Mermaid flowchart of one environment: internet → load balancer listeners (or HTTP API routes → VPC link)
 * → services, subnets and AZs, NAT, alarms → SNS.
 */
export function environmentDiagram(architecture: EnvironmentArchitecture): string {
  const out: string[] = ['flowchart LR', '  internet(("Internet"))'];
  const edges: string[] = [];
  const placed = new Set<string>();

  const serviceNode = (service: ServiceView) =>
    `${service.key}["${lines(service.name, serviceSummary(service), ...service.discoveryNames)}"]`;
  const loadBalancerNode = (lb: EnvironmentArchitecture['loadBalancers'][number]) =>
    `${lb.key}["${lines(lb.type, `${lb.internetFacing ? 'internet-facing' : 'internal'}${lb.azCount ? ` · ${lb.azCount} AZs` : ''}`)}"]`;
  const vpcLinks = architecture.httpApis.flatMap((api) => api.vpcLinks);
  // Databases and caches are cylinders.
  const dataStoreNode = (store: DataStoreView) =>
    `${store.key}[("${lines(store.title, ...store.details, store.azCount ? `${store.azCount} AZs` : undefined)}")]`;
  const vpcLinkNode = (link: (typeof vpcLinks)[number]) =>
    `${link.key}["${lines('VPC link', link.azCount > 0 ? `${link.azCount} AZs` : undefined)}"]`;

  for (const vpc of architecture.vpcs) {
    const azCount = Math.max(0, ...vpc.subnets.map((group) => group.azs.length));
    const subnetSummary = vpc.subnets.map((group) => `${group.kind} ${azText(group.count, group.azs)}`).join(' · ');
    out.push(
      `  subgraph ${vpc.key}["${lines(`VPC${vpc.cidr ? ` ${vpc.cidr}` : ''}${azCount > 0 ? ` · ${azCount} AZs` : ''}`, subnetSummary)}"]`,
    );
    const firstPrivate = vpc.subnets.find((candidate) => candidate.kind !== 'Public');
    for (const group of vpc.subnets) {
      const nodes: string[] = [];
      for (const lb of architecture.loadBalancers.filter(
        (candidate) => candidate.vpcKey === vpc.key && candidate.subnetKind === group.kind,
      )) {
        nodes.push(loadBalancerNode(lb));
        placed.add(lb.key);
      }
      for (const link of vpcLinks.filter(
        (candidate) => candidate.vpcKey === vpc.key && candidate.subnetKind === group.kind,
      )) {
        nodes.push(vpcLinkNode(link));
        placed.add(link.key);
      }
      for (const service of architecture.services.filter(
        (candidate) => candidate.vpcKey === vpc.key && candidate.subnetKind === group.kind,
      )) {
        nodes.push(serviceNode(service));
        placed.add(service.key);
      }
      for (const store of architecture.dataStores.filter(
        (candidate) => candidate.vpcKey === vpc.key && candidate.subnetKind === group.kind,
      )) {
        nodes.push(dataStoreNode(store));
        placed.add(store.key);
      }
      if (group.kind === 'Public' && vpc.nat.length > 0) {
        nodes.push(`${vpc.key}_nat["${lines(...vpc.nat.map((nat) => `${nat.label} × ${nat.count}`))}"]`);
      }
      if (group === firstPrivate && vpc.interfaceEndpoints.length > 0) {
        nodes.push(`${vpc.key}_endpoints["${lines('Interface endpoints', vpc.interfaceEndpoints.join(', '))}"]`);
      }
      // Mermaid draws no empty subgraph well; the VPC label already lists every subnet group.
      if (nodes.length === 0) continue;
      out.push(
        `    subgraph ${vpc.key}_${group.kind}["${lines(`${group.kind} subnets · ${group.azs.length || group.count} AZs`)}"]`,
      );
      for (const node of nodes) out.push(`      ${node}`);
      out.push('    end');
    }
    out.push('  end');
    if (vpc.nat.length > 0) {
      for (const service of architecture.services.filter(
        (candidate) => candidate.vpcKey === vpc.key && candidate.subnetKind !== 'Public',
      )) {
        edges.push(`  ${service.key} -.->|"egress"| ${vpc.key}_nat`);
      }
      edges.push(`  ${vpc.key}_nat -.-> internet`);
    }
  }
  for (const lb of architecture.loadBalancers.filter((candidate) => !placed.has(candidate.key))) {
    out.push(`  ${loadBalancerNode(lb)}`);
  }
  for (const link of vpcLinks.filter((candidate) => !placed.has(candidate.key))) {
    out.push(`  ${vpcLinkNode(link)}`);
  }
  for (const service of architecture.services.filter((candidate) => !placed.has(candidate.key))) {
    out.push(`  ${serviceNode(service)}`);
  }
  for (const store of architecture.dataStores.filter((candidate) => !placed.has(candidate.key))) {
    out.push(`  ${dataStoreNode(store)}`);
  }
  for (const api of architecture.httpApis) {
    const endpoints = [...api.domains, ...(api.executeApiEndpoint ? ['execute-api endpoint'] : [])];
    out.push(
      `  ${api.key}["${lines('HTTP API (API Gateway)', endpoints.join(', '), api.throttle ? `throttle ${api.throttle}` : undefined)}"]`,
    );
  }

  for (const lb of architecture.loadBalancers) {
    for (const listener of lb.listeners) {
      // A listener the internet cannot reach (a deployment's test listener) gets no edge from the internet.
      const listenerText = `${listener.protocol} :${listener.port}${listener.openToInternet ? '' : ' (VPC only)'}`;
      if (lb.internetFacing && listener.openToInternet) {
        edges.push(
          `  internet -->|"${label(listener.redirect ? `${listenerText} (${listener.redirect})` : listenerText)}"| ${lb.key}`,
        );
      }
      for (const route of listener.routes) {
        edges.push(`  ${lb.key} -->|"${label(`${listenerText} ${route.condition}`)}"| ${route.serviceKey}`);
      }
    }
  }

  for (const api of architecture.httpApis) {
    edges.push(`  internet -->|"HTTPS :443"| ${api.key}`);
    for (const link of api.vpcLinks) edges.push(`  ${api.key} -->|"VPC link"| ${link.key}`);
    // One edge per service and way in, labelled with every route key it serves.
    const byTarget = new Map<string, { from: string; to: string; routeKeys: string[] }>();
    for (const route of api.routes) {
      const from = route.vpcLinkKey ?? api.key;
      const entry = byTarget.get(`${from}>${route.serviceKey}`) ?? { from, to: route.serviceKey, routeKeys: [] };
      entry.routeKeys.push(route.routeKey);
      byTarget.set(`${from}>${route.serviceKey}`, entry);
    }
    for (const { from, to, routeKeys } of byTarget.values()) {
      edges.push(`  ${from} -->|"${label(routeKeys.join(', '))}"| ${to}`);
    }
  }

  // Who may connect to each database and cache: one edge per security group rule's source and port.
  const sources = new Map<string, string>();
  for (const store of architecture.dataStores) {
    for (const access of store.access) {
      let from = access.serviceKey;
      if (from === undefined) {
        from = sources.get(access.source) ?? `source_${sources.size}`;
        if (!sources.has(access.source)) {
          sources.set(access.source, from);
          out.push(`  ${from}["${lines(access.source)}"]`);
        }
      }
      edges.push(`  ${from} -->|"${label(access.port)}"| ${store.key}`);
    }
  }

  for (const group of architecture.alarmGroups) {
    const shown = group.alarms.slice(0, 6);
    const more = group.alarms.length - shown.length;
    out.push(
      `  ${group.key}["${lines(`CloudWatch alarms × ${group.alarms.length}`, ...shown, more > 0 ? `+ ${more} more` : undefined)}"]`,
    );
    group.topics.forEach((topic, index) => {
      out.push(`  ${group.key}_topic${index}["${lines('SNS topic', topic)}"]`);
      edges.push(`  ${group.key} --> ${group.key}_topic${index}`);
    });
  }
  return [...out, ...edges].join('\n');
}

/** A Mermaid flowchart of a delivery pipeline: stages left to right, actions in run order inside each. */
export function pipelineDiagram(pipeline: PipelineView, index = 0): string {
  const out: string[] = ['flowchart LR'];
  const edges: string[] = [];
  pipeline.stages.forEach((stage, stageIndex) => {
    const stageKey = `p${index}_stage${stageIndex}`;
    out.push(`  subgraph ${stageKey}["${lines(stage.name)}"]`);
    out.push('    direction LR');
    stage.steps.forEach((step, stepIndex) => {
      step.forEach((action, actionIndex) => {
        const shape = action.approval ? [`{{"`, `"}}`] : [`["`, `"]`];
        out.push(`    ${stageKey}_${stepIndex}_${actionIndex}${shape[0]}${lines(action.name, action.kind)}${shape[1]}`);
        if (stepIndex > 0) {
          stage.steps[stepIndex - 1].forEach((_, previous) =>
            edges.push(`  ${stageKey}_${stepIndex - 1}_${previous} --> ${stageKey}_${stepIndex}_${actionIndex}`),
          );
        }
      });
    });
    out.push('  end');
    if (stageIndex > 0) edges.push(`  p${index}_stage${stageIndex - 1} --> ${stageKey}`);
  });
  return [...out, ...edges].join('\n');
}
