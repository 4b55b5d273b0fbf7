import { dailyWindow } from './rollup.repository';

const DAY = 24 * 3600_000;
const MIDNIGHT = Date.UTC(2026, 10, 2);

describe(dailyWindow.name, () => {
  it('reads whole UTC days, and a window of days that ends now, from the daily rows', () => {
    expect(dailyWindow({ from: MIDNIGHT - 6 * DAY, to: MIDNIGHT + DAY })).toBe(true);
    expect(dailyWindow({ from: MIDNIGHT - 6 * DAY, to: MIDNIGHT + 5 * 3600_000, throughNow: true })).toBe(true);
  });
  it('reads any other window from the hourly rows', () => {
    expect(dailyWindow({ from: MIDNIGHT - 6 * DAY, to: MIDNIGHT + 5 * 3600_000 })).toBe(false);
    expect(dailyWindow({ from: MIDNIGHT + 3600_000, to: MIDNIGHT + DAY, throughNow: true })).toBe(false);
  });
});
