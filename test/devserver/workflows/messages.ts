// An entity workflow in the shape our cases take: state, signals, a query, updates with validators.
import {
  allHandlersFinished,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  setHandler,
} from '@temporalio/workflow';

export const addItem = defineSignal<[string]>('addItem');
export const close = defineSignal('close');
export const items = defineQuery<string[]>('items');
export const addAndCount = defineUpdate<number, [string]>('addAndCount');
export const waitForCount = defineUpdate<string[], [number]>('waitForCount');

export async function entity(): Promise<string[]> {
  const state: string[] = [];
  let closed = false;
  setHandler(addItem, (item) => {
    state.push(item);
  });
  setHandler(items, () => [...state]);
  setHandler(
    addAndCount,
    (item) => {
      state.push(item);
      return state.length;
    },
    {
      validator: (item) => {
        if (item.trim() === '') throw new Error('item must not be empty');
      },
    },
  );
  setHandler(waitForCount, async (n) => {
    await condition(() => state.length >= n);
    return [...state];
  });
  setHandler(close, () => {
    closed = true;
  });
  await condition(() => closed && allHandlersFinished());
  return state;
}
