import { useCallback, useRef } from 'react';

/**
 * useCoalesced returns a function that runs task, never two at once: a call while it runs gets the running
 * round's promise and asks for one more round after it (however many calls came), as long as keepGoing().
 */
export function useCoalesced(task: () => Promise<void>, keepGoing: () => boolean): () => Promise<void> {
  const running = useRef<Promise<void> | undefined>(undefined);
  const again = useRef(false);
  return useCallback(() => {
    if (running.current) {
      again.current = true;
      return running.current;
    }
    const run = async () => {
      do {
        again.current = false;
        await task();
      } while (again.current && keepGoing());
    };
    running.current = run().finally(() => {
      running.current = undefined;
    });
    return running.current;
  }, [task, keepGoing]);
}
