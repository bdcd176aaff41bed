// React glue: the store and the terminal size reach components through context, so tests can hand
// in a fresh store and any size.
import { createContext, useContext, type ReactNode } from 'react';
import { useWindowSize } from 'ink';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/shallow';
import type { OpsState, OpsStore } from '../app/store.js';

const StoreContext = createContext<OpsStore | null>(null);
const SizeContext = createContext<{ columns: number; rows: number } | null>(null);

export function OpsProvider({ store, size, children }: { store: OpsStore; size?: { columns: number; rows: number }; children: ReactNode }) {
  return (
    <StoreContext.Provider value={store}>
      <SizeContext.Provider value={size ?? null}>{children}</SizeContext.Provider>
    </StoreContext.Provider>
  );
}

export function useOpsStore(): OpsStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useOpsStore outside OpsProvider');
  return store;
}

/** Select a primitive or a stable reference: a new object per call re-renders forever. */
export function useOps<T>(selector: (state: OpsState) => T): T {
  return useStore(useOpsStore(), selector);
}

/** For a selector that builds a new array or record: the last one is kept while its items are the same. */
export function useOpsShallow<T>(selector: (state: OpsState) => T): T {
  return useOps(useShallow(selector));
}

export function useTerminalSize(): { columns: number; rows: number } {
  const fixed = useContext(SizeContext);
  const live = useWindowSize();
  return fixed ?? { columns: live.columns, rows: live.rows };
}
