import t from 'tap'
import { parseRoute, routePath } from '../src/state/route.ts'

t.test('names the page of each console path', async (t) => {
  t.same(parseRoute('/'), { page: 'chat' })
  t.same(parseRoute('/c/a1b2c3'), { page: 'chat', conversationId: 'a1b2c3' })
  t.same(parseRoute('/pool'), { page: 'pool' })
  t.same(parseRoute('/developer'), { page: 'developer' })
  t.same(parseRoute('/anything/else'), { page: 'chat' })
})

t.test('gives back the path each route was read from', async (t) => {
  for (const path of ['/', '/c/a1b2c3', '/pool', '/developer']) {
    t.equal(routePath(parseRoute(path)), path)
  }
})
