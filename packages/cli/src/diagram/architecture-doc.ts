import { EnvironmentArchitecture, readEnvironmentArchitecture } from './architecture-model';
import { environmentDiagram, pipelineDiagram, serviceSummary } from './mermaid';
import { readPipelines } from './pipeline-model';
import type { CloudAssemblyView } from '../assembly/cloud-assembly';

/** The block with every environment and the pipeline, for docs/architecture.md. */
export const ARCHITECTURE_BLOCK = 'architecture';

/** The block name of one section's diagram alone (`diagram:prod`, `diagram:pipeline`), e.g. for the README. */
export function diagramBlockName(section: string): string {
  return `diagram:${section.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

function fenced(diagram: string): string {
  return ['```mermaid', diagram, '```'].join('\n');
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function servicesTable(architecture: EnvironmentArchitecture): string {
  if (architecture.services.length === 0) return '';
  const routes = new Map<string, string[]>();
  for (const lb of architecture.loadBalancers) {
    for (const listener of lb.listeners) {
      for (const route of listener.routes) {
        routes.set(route.serviceKey, [
          ...(routes.get(route.serviceKey) ?? []),
          `${listener.protocol} :${listener.port}${listener.openToInternet ? '' : ' (VPC only)'} ${route.condition}`,
        ]);
      }
    }
  }
  for (const api of architecture.httpApis) {
    for (const route of api.routes) {
      routes.set(route.serviceKey, [...(routes.get(route.serviceKey) ?? []), `HTTP API ${route.routeKey}`]);
    }
  }
  return [
    '| Service | Tasks · size · capacity | Private DNS name | Ingress routes |',
    '|---|---|---|---|',
    ...architecture.services.map(
      (service) =>
        `| ${escapeCell(service.name)} | ${escapeCell(serviceSummary(service))} | ${escapeCell(service.discoveryNames.join(', ') || '–')} | ${escapeCell((routes.get(service.key) ?? []).join('; ') || '–')} |`,
    ),
  ].join('\n');
}

function dataStoresTable(architecture: EnvironmentArchitecture): string {
  if (architecture.dataStores.length === 0) return '';
  const serviceNames = new Map(architecture.services.map((service) => [service.key, service.name]));
  return [
    '| Data store | Size · credentials | Reached from |',
    '|---|---|---|',
    ...architecture.dataStores.map((store) => {
      const from = store.access.map(
        (access) =>
          `${access.serviceKey ? (serviceNames.get(access.serviceKey) ?? access.serviceKey) : access.source} (${access.port})`,
      );
      return `| ${escapeCell(store.title)} | ${escapeCell(store.details.join('; '))} | ${escapeCell(from.join(', ') || '–')} |`;
    }),
  ].join('\n');
}

/**
 * The generated Markdown blocks for a cloud assembly: the whole architecture
 * (every Stage, then the pipeline) and each section alone, by block name.
 * Output depends only on the templates, so it is the same on every run.
 */
export function architectureBlocks(view: CloudAssemblyView): Record<string, string> {
  const blocks: Record<string, string> = {};
  const all: string[] = [];
  for (const section of view.sections) {
    if (section.kind === 'stage') {
      const architecture = readEnvironmentArchitecture(section);
      const body = [
        fenced(environmentDiagram(architecture)),
        servicesTable(architecture),
        dataStoresTable(architecture),
      ]
        .filter((part) => part !== '')
        .join('\n\n');
      blocks[diagramBlockName(section.name)] = body;
      all.push(`### ${section.name}`, '', body, '');
      continue;
    }
    const pipelines = readPipelines(section);
    if (pipelines.length === 0) continue;
    const body = pipelines.map((pipeline, index) => fenced(pipelineDiagram(pipeline, index))).join('\n\n');
    blocks[diagramBlockName('pipeline')] = body;
    all.push('### Delivery pipeline', '', body, '');
  }
  blocks[ARCHITECTURE_BLOCK] = all.join('\n');
  return blocks;
}
