import { Template } from 'aws-cdk-lib/assertions';
import { EnvironmentDashboard, HttpApiService } from '../../src';
import { apiPlatform, backendAndWorker, platform, registryImage, spotSettings } from '../fixtures/stacks';

function dashboardBody(containerInsights: boolean): string {
  const base = platform({ containerInsights });
  const { stack, cluster, ingress } = base;
  const { backend, worker } = backendAndWorker(base);
  new EnvironmentDashboard(stack, 'Dashboard', {
    cluster,
    containerInsights,
    loadBalancer: ingress.loadBalancer,
    services: [backend, worker],
    dashboardName: 'slipway-dev',
  });
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'slipway-dev' });
  const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0];
  return JSON.stringify(dashboard.Properties.DashboardBody);
}

describe('EnvironmentDashboard', () => {
  test('GIVEN services behind the ALB WHEN built THEN it graphs requests, errors, latency, CPU, memory and lists the alarms', () => {
    const body = dashboardBody(false);
    for (const text of [
      'Requests',
      '5xx errors',
      'Target response time',
      'p99',
      'CPU utilisation (%)',
      'Memory utilisation (%)',
      'Alarms',
      'HTTPCode_ELB_5XX_Count',
      'HTTPCode_Target_5XX_Count',
    ]) {
      expect(body).toContain(text);
    }
  });

  test('GIVEN Container Insights off THEN task counts are the healthy targets', () => {
    const body = dashboardBody(false);
    expect(body).toContain('Healthy targets');
    expect(body).toContain('HealthyHostCount');
    expect(body).not.toContain('RunningTaskCount');
  });

  test('GIVEN Container Insights on THEN task counts are running vs desired per service', () => {
    const body = dashboardBody(true);
    expect(body).toContain('Tasks running / desired');
    expect(body).toContain('RunningTaskCount');
    expect(body).toContain('worker desired');
  });

  test("GIVEN services behind the HTTP API WHEN built THEN it graphs the API's requests, errors and latency, with its alarms, and no ALB graphs", () => {
    const { stack, cluster, ingress } = apiPlatform();
    const frontend = new HttpApiService(stack, 'Frontend', {
      cluster,
      httpApi: ingress,
      serviceName: 'frontend',
      ...spotSettings,
      image: registryImage,
      containerPort: 8080,
    });
    new EnvironmentDashboard(stack, 'Dashboard', {
      cluster,
      httpApiStage: ingress.stage,
      additionalAlarms: ingress.alarms,
      services: [frontend],
      dashboardName: 'slipway-dev',
    });
    const dashboard = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'))[0];
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const text of [
      'API requests',
      'API errors',
      'API latency (ms)',
      'AWS/ApiGateway',
      '\\"5xx\\"',
      '\\"4xx\\"',
      'IntegrationLatency',
      'CPU utilisation (%)',
      'Alarms',
    ]) {
      expect(body).toContain(text);
    }
    for (const text of ['HTTPCode_ELB_5XX_Count', 'Target response time', 'Healthy targets', 'RunningTaskCount']) {
      expect(body).not.toContain(text);
    }
    // The API's own alarms are listed with the services' alarms.
    expect(body).toContain(stack.getLogicalId(ingress.errorRateAlarm.node.defaultChild as never));
  });
});
