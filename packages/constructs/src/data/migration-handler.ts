/**
 * The source of the function behind `DatabaseMigration`: inline (ZipFile) Node.js, AWS SDK v3 from the Lambda
 * runtime. It starts one ECS task with the migration command, waits for it to stop, and reports to CloudFormation
 * by PUTting to the pre-signed `ResponseURL` (the custom resource protocol): SUCCESS only for exit code 0.
 * Delete does nothing: a schema is never "un-migrated" because a stack lost the resource.
 * Kept as a string constant so a test can run it (test/data/migration-handler.test.ts).
 */
export const MIGRATION_HANDLER_SOURCE = `
const { ECSClient, RunTaskCommand, DescribeTasksCommand } = require('@aws-sdk/client-ecs');
const https = require('https');
const ecs = new ECSClient({});
const POLL_MS = Number(process.env.POLL_MS || 10000);

async function runMigration(p, context) {
  const started = await ecs.send(new RunTaskCommand({
    cluster: p.Cluster, taskDefinition: p.TaskDefinition, launchType: 'FARGATE', count: 1,
    startedBy: 'slipway-migration',
    networkConfiguration: { awsvpcConfiguration: { subnets: p.Subnets, securityGroups: p.SecurityGroups, assignPublicIp: 'DISABLED' } },
    overrides: { containerOverrides: [{ name: p.ContainerName, command: p.Command }] },
  }));
  const task = (started.tasks || [])[0];
  if (!task) throw new Error('ECS started no migration task: ' + JSON.stringify(started.failures || []));
  while (context.getRemainingTimeInMillis() > POLL_MS + 20000) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const described = await ecs.send(new DescribeTasksCommand({ cluster: p.Cluster, tasks: [task.taskArn] }));
    const current = (described.tasks || [])[0];
    if (current && current.lastStatus === 'STOPPED') {
      const container = (current.containers || []).find((c) => c.name === p.ContainerName) || {};
      if (container.exitCode === 0) return task.taskArn;
      throw new Error('Migration task ' + task.taskArn + ' failed (exit code ' + container.exitCode + ', ' +
        (container.reason || current.stoppedReason) + '); its output is in the ' + p.ContainerName + ' log group.');
    }
  }
  throw new Error('Migration task ' + task.taskArn + ' was still running when the deploy stopped waiting; ' +
    'the release is not applied. Check the task, then deploy again.');
}

function respond(event, status, reason, data) {
  const body = JSON.stringify({
    Status: status, Reason: reason.slice(0, 3000), PhysicalResourceId: 'database-migration',
    StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId, Data: data,
  });
  return new Promise((resolve, reject) => {
    const request = https.request(event.ResponseURL, {
      method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
    }, (response) => { response.resume(); response.on('end', resolve); });
    request.on('error', reject);
    request.end(body);
  });
}

exports.handler = async (event, context) => {
  if (event.RequestType === 'Delete') return respond(event, 'SUCCESS', 'nothing to do on delete', {});
  try {
    const taskArn = await runMigration(event.ResourceProperties, context);
    console.log(JSON.stringify({ message: 'migration succeeded', taskArn }));
    return respond(event, 'SUCCESS', 'migrated by ' + taskArn, { TaskArn: taskArn });
  } catch (error) {
    console.error(error);
    return respond(event, 'FAILED', String(error && error.message || error), {});
  }
};
`;
