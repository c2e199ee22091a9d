import { FillSettlement } from './fill-settlement';

const settledWithin = async (wait: Promise<void>, ms: number): Promise<boolean> =>
  Promise.race([
    wait.then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), ms)),
  ]);

describe('FillSettlement', () => {
  it('does not hold a write whose entry fills nothing', async () => {
    const settlement = new FillSettlement();
    settlement.applied(5, []);
    expect(await settledWithin(settlement.until(5, 1000), 20)).toBe(true);
  });

  it('holds a filled write until a fill through its index is done', async () => {
    const settlement = new FillSettlement();
    const wait = settlement.until(7, 1000);
    settlement.applied(7, [7]);
    expect(await settledWithin(wait, 20)).toBe(false);
    settlement.settle(6);
    expect(await settledWithin(wait, 20)).toBe(false);
    settlement.settle(7);
    expect(await settledWithin(wait, 20)).toBe(true);
  });

  it('lets the write go after the timeout when no fill comes (Redis away)', async () => {
    const settlement = new FillSettlement();
    settlement.applied(3, [3]);
    const started = Date.now();
    await settlement.until(3, 50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });
});
