// Task queue matching on its own: long polls on an idle queue must not accumulate.
import { Matching } from '../../devserver/engine/matching';

test('timed-out and cancelled polls on an idle queue do not pile up', async () => {
  const m = new Matching<string>();
  for (let i = 0; i < 100; i++) {
    expect(await m.poll('idle', { timeoutMs: 0, onCancel: () => {}, identity: 'w' })).toBeNull();
  }
  let cancel = () => {};
  const cancelled = m.poll('idle', { timeoutMs: 60_000, onCancel: (cb) => (cancel = cb), identity: 'w' });
  cancel();
  expect(await cancelled).toBeNull();
  const waiting = m.poll('idle', { timeoutMs: 60_000, onCancel: () => {}, identity: 'w' });
  expect(m.parked('idle')).toBe(1);
  m.offer('idle', { deliver: () => 'task' });
  expect(await waiting).toBe('task');
});
