import { onBeforeUnmount, onMounted, type Ref, reactive, ref } from 'vue';
import { ApiProblem } from './api/client';

/** Whether the data on screen is current: drives the offline/stale banner. */
export const connection = reactive({
  online: typeof navigator === 'undefined' ? true : navigator.onLine,
  /** The last time a refresh answered, ms since epoch. */
  lastOk: 0,
  failing: false,
});

if (typeof window !== 'undefined') {
  window.addEventListener('online', () => {
    connection.online = true;
  });
  window.addEventListener('offline', () => {
    connection.online = false;
  });
}

/** The polite live region's text (App.vue renders it): status changes are read out by screen readers. */
export const announcement = ref('');
export function announce(text: string): void {
  // Clearing first makes a repeated message be read again.
  announcement.value = '';
  setTimeout(() => {
    announcement.value = text;
  }, 50);
}

/**
 * Loads `load()` now and every `intervalMs`, replacing `data` with the answer: Vue patches only what
 * changed, so a form the user is typing in (its own state) is never reset. A failed refresh keeps the
 * last data and marks the connection as failing; a problem other than a network one is kept in `error`.
 */
export function usePolling<T>(load: () => Promise<T>, intervalMs = 3000) {
  const data = ref<T | null>(null) as Ref<T | null>;
  const error = ref<ApiProblem | null>(null);
  const loading = ref(true);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let inFlight: Promise<void> | null = null;

  const refresh = (): Promise<void> => {
    if (inFlight) return inFlight;
    inFlight = (async () => {
      try {
        data.value = await load();
        error.value = null;
        connection.lastOk = Date.now();
        connection.failing = false;
      } catch (e) {
        if (e instanceof ApiProblem && e.status === 0) connection.failing = true;
        else if (e instanceof ApiProblem) error.value = e;
        else throw e;
      } finally {
        loading.value = false;
        inFlight = null;
      }
    })();
    return inFlight;
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(async () => {
      // A hidden tab does not poll; it refreshes when shown again.
      if (document.visibilityState !== 'hidden') await refresh();
      schedule();
    }, intervalMs);
  };
  const onVisible = () => {
    if (document.visibilityState === 'visible') void refresh();
  };

  onMounted(() => {
    void refresh();
    schedule();
    document.addEventListener('visibilitychange', onVisible);
  });
  onBeforeUnmount(() => {
    stopped = true;
    clearTimeout(timer);
    document.removeEventListener('visibilitychange', onVisible);
  });
  return { data, error, loading, refresh };
}

/** A clock that ticks every `ms`, for countdowns. */
export function useNow(ms = 30_000): Ref<number> {
  const now = ref(Date.now());
  let timer: ReturnType<typeof setInterval> | undefined;
  onMounted(() => {
    timer = setInterval(() => {
      now.value = Date.now();
    }, ms);
  });
  onBeforeUnmount(() => clearInterval(timer));
  return now;
}

/** True on a phone-sized screen: two-column descriptions become one, so labels never wrap per character. */
export function useNarrow(query = '(max-width: 640px)'): Ref<boolean> {
  const list = window.matchMedia(query);
  const narrow = ref(list.matches);
  const update = () => {
    narrow.value = list.matches;
  };
  onMounted(() => list.addEventListener('change', update));
  onBeforeUnmount(() => list.removeEventListener('change', update));
  return narrow;
}
