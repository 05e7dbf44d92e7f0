import { Template } from 'aws-cdk-lib/assertions';
import { EnvironmentDashboard, InternalService, WebService } from '../../src';
import { platform, registryImage, spotSettings } from '../fixtures/stacks';

function dashboardBody(containerInsights: boolean): string {
  const { stack, cluster, ingress } = platform({ containerInsights });
  const backend = new WebService(stack, 'Backend', {
    cluster, ingress, serviceName: 'backend', settings: spotSettings, image: registryImage, containerPort: 8000, healthCheckPath: '/api/health',
  });
  const worker = new InternalService(stack, 'Worker', { cluster, serviceName: 'worker', settings: spotSettings, image: registryImage, containerPort: 9000 });
  new EnvironmentDashboard(stack, 'Dashboard', { cluster, ingress, services: [backend, worker], dashboardName: 'slipway-dev' });
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'slipway-dev' });
  const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0];
  return JSON.stringify(dashboard.Properties.DashboardBody);
}

describe('EnvironmentDashboard', () => {
  test('GIVEN services behind the ALB WHEN built THEN it graphs requests, errors, latency, CPU, memory and lists the alarms', () => {
    const body = dashboardBody(false);
    for (const text of ['Requests', '5xx errors', 'Target response time', 'p99', 'CPU utilisation (%)', 'Memory utilisation (%)', 'Alarms', 'HTTPCode_ELB_5XX_Count', 'HTTPCode_Target_5XX_Count']) {
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
});
