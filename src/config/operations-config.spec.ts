import { ConfigError, DEFAULT_RETENTION_SCHEDULE, loadConfig } from './app-config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('metrics and retention settings', () => {
  it('defaults: metrics on the app port, audit kept forever, an hourly purge', () => {
    const config = loadConfig({});
    expect(config.metrics).toEqual({ enabled: true, port: undefined });
    expect(config.retention).toEqual({ auditDays: 0, schedule: DEFAULT_RETENTION_SCHEDULE });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      METRICS_ENABLED: 'false',
      METRICS_PORT: '9464',
      AUDIT_RETENTION_DAYS: '3650',
      RETENTION_SCHEDULE: '0 30 2 * * *',
    });
    expect(config.metrics).toEqual({ enabled: false, port: 9464 });
    expect(config.retention).toEqual({ auditDays: 3650, schedule: '0 30 2 * * *' });
    expect(loadConfig({ RETENTION_SCHEDULE: 'off' }).retention.schedule).toBeNull();
  });

  it.each([
    ['METRICS_ENABLED', 'yes'],
    ['METRICS_PORT', '0'],
    ['METRICS_PORT', '65536'],
    ['METRICS_PORT', 'metrics'],
    ['AUDIT_RETENTION_DAYS', '-1'],
    ['AUDIT_RETENTION_DAYS', '1.5'],
    ['AUDIT_RETENTION_DAYS', '36501'],
    ['RETENTION_SCHEDULE', 'hourly'],
    ['RETENTION_SCHEDULE', '61 * * * *'],
    ['RETENTION_SCHEDULE', '* * *'],
  ])('names %s for %p', (name, value) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(name);
  });

  it('refuses METRICS_PORT equal to PORT, the default one included', () => {
    expect(problemsOf({ PORT: '8080', METRICS_PORT: '8080' })).toEqual([
      'METRICS_PORT must differ from PORT (leave it unset to serve /metrics on PORT)',
    ]);
    expect(problemsOf({ METRICS_PORT: '3000' })).toHaveLength(1);
    expect(problemsOf({ PORT: '8080', METRICS_PORT: '3000' })).toEqual([]);
  });
});
