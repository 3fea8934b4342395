import { ConnectionGate } from './connection-gate';

const timeout = () => new Error('timed out');

describe('ConnectionGate', () => {
  it('admits up to its size at once, then hands permits on as they come back', async () => {
    const gate = new ConnectionGate(2);
    await gate.enter(false, 1000, timeout);
    await gate.enter(false, 1000, timeout);
    const order: string[] = [];
    const third = gate.enter(false, 1000, timeout).then(() => order.push('request'));
    await Promise.resolve();
    expect(order).toEqual([]);
    gate.leave();
    await third;
    expect(order).toEqual(['request']);
  });

  it('lets background work go before requests already waiting', async () => {
    const gate = new ConnectionGate(1);
    await gate.enter(false, 1000, timeout);
    const order: string[] = [];
    const waiting = [
      gate.enter(false, 1000, timeout).then(() => order.push('request 1')),
      gate.enter(false, 1000, timeout).then(() => order.push('request 2')),
      gate.enter(true, 1000, timeout).then(() => order.push('relay')),
    ];
    for (let i = 0; i < 3; i++) gate.leave();
    await Promise.all(waiting);
    expect(order).toEqual(['relay', 'request 1', 'request 2']);
  });

  it('refuses beyond its queue limit', async () => {
    const gate = new ConnectionGate(1, 1);
    await gate.enter(false, 1000, timeout);
    const waiting = gate.enter(false, 1000, timeout);
    await expect(gate.enter(false, 1000, timeout)).rejects.toThrow('Queue limit reached');
    gate.leave();
    await waiting;
  });

  it('gives up after the deadline, and the permit goes to the next one', async () => {
    jest.useFakeTimers();
    try {
      const gate = new ConnectionGate(1);
      await gate.enter(false, 1000, timeout);
      const late = gate.enter(false, 10, timeout);
      const next = gate.enter(false, 1000, timeout);
      jest.advanceTimersByTime(11);
      await expect(late).rejects.toThrow('timed out');
      gate.leave();
      await expect(next).resolves.toBeUndefined();
    } finally {
      jest.useRealTimers();
    }
  });
});
