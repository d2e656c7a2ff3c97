import { readdir, readFile, utimes } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import * as pkg from '../build.ts'
import { buildConsole, CONSOLE_DIST, isConsoleFresh } from '../build.ts'

t.test('exports the build helpers and nothing else', async (t) => {
  t.same(Object.keys(pkg).sort(), ['CONSOLE_DIST', 'buildConsole', 'isConsoleFresh'])
})

t.test('builds the console into dist: one page, hashed assets, nothing from a CDN',
  async (t) => {
    const result = await buildConsole({ force: true })
    t.same(result, { outDir: CONSOLE_DIST, built: true })

    const html = await readFile(join(CONSOLE_DIST, 'index.html'), 'utf8')
    t.match(html, /<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js">/)
    t.notMatch(html, /https?:\/\//)
    const assets = await readdir(join(CONSOLE_DIST, 'assets'))
    const css = assets.filter((f) => f.endsWith('.css'))
    t.equal(css.length, 1)
    t.notMatch(await readFile(join(CONSOLE_DIST, 'assets', css[0]!), 'utf8'),
      /@import|url\(\s*['"]?https?:/)
  })

t.test('skips the build while dist is newer than every source', async (t) => {
  t.equal(await isConsoleFresh(), true)
  t.same(await buildConsole(), { outDir: CONSOLE_DIST, built: false })
})

t.test('builds again once a source is newer than dist', async (t) => {
  const longAgo = new Date('2000-01-01T00:00:00Z')
  await utimes(join(CONSOLE_DIST, 'index.html'), longAgo, longAgo)
  t.equal(await isConsoleFresh(), false)
  t.same(await buildConsole(), { outDir: CONSOLE_DIST, built: true })
  t.equal(await isConsoleFresh(), true)
})
