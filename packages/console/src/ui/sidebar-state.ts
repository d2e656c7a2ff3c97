import { createStore } from '../state/store.ts'

/** Whether the sidebar is open as an overlay (narrow screens only). */
export const sidebarOpen = createStore(false)
