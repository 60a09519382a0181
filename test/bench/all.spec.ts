import { markdown, rows, TARGETS } from './all';

describe('npm run bench: the table of targets', () => {
  it('states each target from the bench’s JSON, ratios to the same-run baseline computed where the bench reports both sides', () => {
    const table = rows({
      'event-store': { singleRatioSameWork: 0.93 },
      crypto: { encryptionCostRatio: 1.41 },
      'processing-record': { appendRatio: 0.31, verify1MSeconds: 10.9, rawReadHash1MSeconds: 4.7, verifyToRawRatio: 2.25 },
      'access-export': { exportMedianMs: 922, rawReadMedianMs: 142 },
      decisions: null,
    });
    const row = (measure: string): { value: number | null; met: boolean | null; note: string } | undefined => table.find((r) => r.measure.startsWith(measure));
    expect(row('singleRatioSameWork')).toMatchObject({ value: 0.93, met: true });
    expect(row('encryptionCostRatio')).toMatchObject({ value: 1.41, met: false });
    expect(row('appendToRawRatio')).toMatchObject({ value: 0.31, met: false });
    // The median of the rounds' ratios, as the bench reports it, not the ratio of its medians.
    expect(row('verifyToRawRatio')).toMatchObject({ value: 2.25, met: false });
    expect(row('accessExportToRawRatio')).toMatchObject({ value: 6.493, met: false });
    expect(row('exportMedianMs')).toMatchObject({ value: 922, met: true });
    // A bench that failed and one that did not run are never "met".
    expect(row('p99Ms')).toMatchObject({ value: null, met: null, note: 'the bench failed' });
    expect(row('group10kQueuedMs')).toMatchObject({ value: null, met: null, note: 'not run' });
    expect(row('rebuildAllEventsPerSec')).toMatchObject({ value: null, met: null, note: 'not run' });
    expect(rows({ rebuild: { rebuildAllEventsPerSec: 1213 } }).find((r) => r.bench === 'rebuild')).toMatchObject({ value: 1213, met: false });
    expect(table).toHaveLength(TARGETS.length);
  });

  it('writes one Markdown row per target: measure, value, target, met', () => {
    const md = markdown(rows({ crypto: { encryptionCostRatio: 1.2 }, 'event-store': { singleRatioSameWork: 0.5 } }), '2026-12-05');
    expect(md).toContain('| crypto | encryptionCostRatio (median of per-round plain / encrypted) | 1.2 | ≤ 1.3 | met |');
    expect(md).toContain('| 0.5 | ≥ 0.9 | **not met** |');
    expect(md).toContain('| decisions | bulk10kMs | — | < 300 | — (not run) |');
  });

  it('gives, beside a value, the same run’s figures that bound or explain it, and nothing when the bench did not measure them', () => {
    const table = rows({
      rebuild: { rebuildAllEventsPerSec: 14843, cpuMicrosPerEvent: 76, cpuBoundEventsPerSec: 26316 },
      decisions: { p99Ms: 18.6, p99MsSpread: [12.3, 329.8], serverEventLoopUtilization: 0.67, cpuToFloorCpu: 3.1 },
    });
    const row = (measure: string): { sameRun: string } | undefined => table.find((r) => r.measure.startsWith(measure));
    expect(row('rebuildAllEventsPerSec')?.sameRun).toBe('76 µs of CPU per event: 26316/s with every core busy');
    expect(row('p99Ms')?.sameRun).toBe('rounds’ p99 12.3–329.8 ms; server event loop 0.67 busy');
    // floorPlusReadToFloorCpu is missing from this run's JSON: no half-filled sentence.
    expect(row('cpuToFloorCpu')?.sameRun).toBe('');
    expect(row('bulk10kMs')?.sameRun).toBe('');
    const md = markdown(table, '2026-12-06');
    expect(md).toContain('| ≥ 30000 | **not met** | 76 µs of CPU per event: 26316/s with every core busy |');
    expect(md).toContain('| cpuToFloorCpu (server CPU per decision / per floor request) | 3.1 | ≤ 1.5 | **not met** | — |');
  });
});
