import { createStore } from './store.ts'
import { parseRoute, routePath, type Route } from './route.ts'

/** The page the console shows, kept in step with the address bar. */
export const route = createStore<Route>(parseRoute(location.pathname))

addEventListener('popstate', () => { route.set(parseRoute(location.pathname)) })

/** Moves to `next`, adding a history entry unless `replace`. */
export function navigate (next: Route, replace = false): void {
  const path = routePath(next)
  if (path !== location.pathname) {
    if (replace) history.replaceState(null, '', path)
    else history.pushState(null, '', path)
  }
  route.set(next)
}
