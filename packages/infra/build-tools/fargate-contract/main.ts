import { checkContainer, ContainerReport } from './check';
import { readContainers } from './task-definitions';
import { REPOSITORY_ROOT } from '../../src/app';

// `npx projen fargate:check [cdk.out]`: every container of every task definition in the cloud
// assembly, started the way Fargate starts it (read-only root, root-owned volumes, the image's user),
// one line each; exit code 1 when any would not start or not become healthy.
async function main(): Promise<void> {
  const assemblyDir = process.argv[2] ?? 'cdk.out';
  const containers = readContainers(assemblyDir);
  if (containers.length === 0) {
    console.error(`${assemblyDir}: no task definitions. Run \`npx projen synth\` first.`);
    process.exitCode = 1;
    return;
  }
  const reports: ContainerReport[] = [];
  for (const container of containers) {
    const report = await checkContainer(container, { repositoryRoot: REPOSITORY_ROOT });
    reports.push(report);
    const stopped = report.stopSeconds === undefined ? '' : `, stopped in ${report.stopSeconds.toFixed(1)} s`;
    console.log(`${report.ok ? '✔' : '✖'} ${report.id} (healthy in ${report.seconds.toFixed(1)} s${stopped})`);
    for (const problem of report.problems) console.log(`    ${problem}`);
    if (!report.ok && report.log.trim()) console.log(indent(`container output:\n${report.log.trim()}`));
  }
  const failed = reports.filter((report) => !report.ok).length;
  console.log(`\n${reports.length - failed} of ${reports.length} containers start on Fargate's terms.`);
  if (failed > 0) process.exitCode = 1;
}

function indent(text: string): string {
  return text
    .split('\n')
    .slice(-40)
    .map((line) => `    ${line}`)
    .join('\n');
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exitCode = 1;
});
