import { flat, ResourcePricer, ResourcePricers, same } from './pricer';
import { literalNumber } from '../../assembly/template-values';

const priceAlarm: ResourcePricer = (context, id, resource) => {
  const properties = resource.Properties ?? {};
  const metrics = Array.isArray(properties.Metrics)
    ? Math.max(1, properties.Metrics.filter((metric: any) => metric?.MetricStat).length)
    : 1;
  const periods = [
    properties.Period,
    ...(Array.isArray(properties.Metrics) ? properties.Metrics.map((metric: any) => metric?.MetricStat?.Period) : []),
  ];
  const highResolution = periods.some((period) => {
    const seconds = literalNumber(period);
    return seconds !== undefined && seconds < 60;
  });
  context.addLine(id, resource, {
    item: highResolution ? 'CloudWatch alarms (high resolution)' : 'CloudWatch alarms',
    detail: '',
    priceId: highResolution ? 'cloudwatch.alarm.high-resolution' : 'cloudwatch.alarm.standard',
    quantity: same(metrics),
    group: { key: 'alarm', noun: 'alarm' },
  });
};

/** CloudWatch: alarms and dashboards (log groups are in logs.ts). */
export const CLOUDWATCH_PRICERS: ResourcePricers = {
  'AWS::CloudWatch::Alarm': priceAlarm,
  'AWS::CloudWatch::CompositeAlarm': flat(
    'CloudWatch composite alarms',
    'cloudwatch.alarm.composite',
    'composite alarm',
  ),
  'AWS::CloudWatch::Dashboard': flat('CloudWatch dashboards', 'cloudwatch.dashboard', 'dashboard'),
};
