/** The console's pages; a conversation is `/c/<id>`. */
export type Route =
  | { page: 'chat', conversationId?: string }
  | { page: 'pool' }
  | { page: 'developer' }

/** The route a path names; unknown paths open a new chat. */
export function parseRoute (path: string): Route {
  if (path === '/pool') return { page: 'pool' }
  if (path === '/developer') return { page: 'developer' }
  const match = /^\/c\/([\w-]+)$/.exec(path)
  return match === null ? { page: 'chat' } : { page: 'chat', conversationId: match[1]! }
}

/** The path of a route, the inverse of parseRoute. */
export function routePath (route: Route): string {
  if (route.page !== 'chat') return `/${route.page}`
  return route.conversationId === undefined ? '/' : `/c/${route.conversationId}`
}
