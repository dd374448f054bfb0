import { describe, expect, it } from '@jest/globals';
import { gantt } from '../../src/report/gantt.js';
import { renderSummary, summary } from '../../src/report/summary.js';

const T0 = Date.UTC(2026, 0, 15, 9, 30, 0, 123);

describe('the timeline', () => {
  it('is placed at epoch 0 and labelled in time since the start, which no time zone changes', () => {
    const chart = gantt([
      { name: 'Check services', startedAt: T0, durationMs: 115, ok: true },
      { name: 'Watch deployments', startedAt: T0 + 115, durationMs: 600, ok: true },
    ]);
    expect(chart).toContain('dateFormat x');
    // %Q / %s are milliseconds / seconds since the epoch; %H, %M, %S would be local wall time.
    expect(chart).toMatch(/axisFormat %Q ms/);
    expect(chart).not.toMatch(/axisFormat[^\n]*%[HMS]/);
    expect(chart).toContain('Check services 115ms :p0, 0, 115');
    expect(chart).toContain('Watch deployments 600ms :p1, 115, 715');
  });

  it('labels long releases in seconds, with ticks in seconds', () => {
    const chart = gantt([
      { name: 'Watch deployments', startedAt: T0, durationMs: 400_000, ok: true },
      { name: 'Bake 10m', startedAt: T0 + 400_000, durationMs: 600_000, ok: true },
    ]);
    expect(chart).toMatch(/axisFormat %s s\n {2}tickInterval \d+second/);
    expect(chart).toContain('Bake 10m :p1, 400000, 1000000');
  });

  it('marks the failed phase and keeps a 4 ms phase visible in a minute-long chart', () => {
    const chart = gantt([
      { name: 'Start deployments', startedAt: T0, durationMs: 4, ok: true },
      { name: 'Watch deployments', startedAt: T0 + 4, durationMs: 60_000, ok: false },
    ]);
    const [start, watch] = chart.split('\n').filter((l) => l.includes('deployments'));
    const [from, to] = start!.split(',').slice(-2).map(Number);
    expect(to! - from!).toBeGreaterThanOrEqual(60_004 / 80);
    expect(start).toContain('Start deployments 4ms');
    expect(watch).toMatch(/:crit, p1, 4, 60004$/);
  });

  it('is drawn once per summary, in a mermaid block', () => {
    const s = summary('Deploy (rolling)', 'failed', 'Deploy failed.');
    s.phases = [{ name: 'Watch deployments', startedAt: T0, durationMs: 10, ok: false }];
    const md = renderSummary(s);
    expect(md.match(/```mermaid\ngantt/g)).toHaveLength(1);
  });
});

describe('the summary', () => {
  it('puts the outcome first, has no empty header cell, and shows each image on its own row', () => {
    const s = summary('Deploy (rolling)', 'succeeded', 'Deployed **web:2** to **web**.');
    s.services = [{ service: 'web', outcome: 'succeeded', outcomeText: 'deployed', revision: 'web:2' }];
    s.sides = [{ side: 'web', before: 'web:1', after: 'web:2' }];
    const registry = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
    s.images = ['web', 'sidecar'].map((container) => ({
      service: 'web',
      container,
      image: {
        container,
        image: `${registry}/${container}@sha256:${'a'.repeat(64)}`,
        digest: `sha256:${'a'.repeat(64)}`,
        registry,
        requested: `${container}:v2`,
      },
    }));
    const md = renderSummary(s);
    expect(md.split('\n\n')[1]).toBe('✅ Deployed **web:2** to **web**.');
    for (const header of md.split('\n').filter((_line, i, all) => all[i + 1]?.startsWith('| ---'))) {
      expect(
        header
          .split('|')
          .slice(1, -1)
          .every((cell) => cell.trim() !== ''),
      ).toBe(true);
    }
    // The registry once, above the table; rows carry repository:tag and the full digest.
    expect(md).toContain(`Registry \`${registry}\``);
    expect(md).toContain(`| web | sidecar | \`sidecar:v2\` | \`sha256:${'a'.repeat(64)}\` |`);
    expect(md.match(new RegExp(registry, 'g'))).toHaveLength(1);
    expect(md).toContain('| web | web:1 | web:2 |');
  });
});
