import { useEffect, useRef } from 'react';

/**
 * usePolling calls task every intervalMs while enabled, never two at a time,
 * paused while the tab is hidden and run at once when it becomes visible again.
 * The first run happens after one interval: callers load their initial data themselves.
 */
export function usePolling(task: () => Promise<unknown>, intervalMs: number, enabled = true): void {
  const taskRef = useRef(task);
  taskRef.current = task;

  useEffect(() => {
    if (!enabled) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let running = false;
    let stopped = false;

    const schedule = () => {
      if (stopped || document.hidden) return;
      clearTimeout(timer);
      timer = setTimeout(tick, intervalMs);
    };
    const tick = async () => {
      if (stopped || running || document.hidden) return;
      running = true;
      try {
        await taskRef.current();
      } catch {
        // The task reports its own errors; polling just carries on.
      } finally {
        running = false;
        schedule();
      }
    };
    const onVisibility = () => {
      if (document.hidden) clearTimeout(timer);
      else void tick();
    };

    schedule();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [intervalMs, enabled]);
}
