import t from 'tap'
import type { Page } from 'playwright-core'
import { buildConsole } from '../build.ts'
import { launchChromium, screenshot } from './helpers/browser.ts'
import { missingRoute, startTestDevnet } from './helpers/devnet.ts'

await buildConsole()
const devnet = await startTestDevnet('console')
t.teardown(devnet.stop)
const origin = new URL(devnet.apiBase).origin
const browser = await launchChromium()
t.teardown(async () => { await browser.close() })
const page: Page = await browser.newPage({ viewport: { width: 1280, height: 800 } })

// Sign-in and keys are being built by others: their tests skip, naming the route, until then.
const missing = {
  nonce: await missingRoute(origin, 'GET', '/v1/auth/nonce'),
  wallet: await missingRoute(origin, 'GET', '/devnet/wallet')
}
const signInSkip = missing.nonce ?? missing.wallet
const authRequired = (await fetch(`${devnet.apiBase}/nodes`)).status === 401
// Where the API needs a session, the page can only chat and list the pool once signed in.
const apiSkip = authRequired && signInSkip !== undefined
  ? `the API needs sign-in and ${signInSkip}`
  : undefined
const peerIds = devnet.nodes.map((n) => n.peerId).sort()

async function signInThroughPage (on: Page): Promise<void> {
  await on.goto(`${origin}/developer`)
  await on.getByRole('button', { name: /^Sign in/ }).first().click()
  await on.getByTestId('session-info').waitFor({ timeout: 15_000 })
}

async function sessionOf (on: Page): Promise<{ token: string, account: string }> {
  const saved = await on.evaluate(() => sessionStorage.getItem('parallelix.session'))
  return JSON.parse(saved ?? 'null') as { token: string, account: string }
}

t.test('serves the console at / and its routes, and JSON errors for the API', async (t) => {
  for (const path of ['/', '/pool', '/developer', '/c/unknown']) {
    const res = await fetch(`${origin}${path}`)
    t.equal(res.status, 200, path)
    t.match(await res.text(), '<div id="app"></div>', path)
  }
  const health = await fetch(`${origin}/health/no-such-route`)
  t.equal(health.status, 404)
  t.equal((await health.json() as { error: { code: string } }).error.code, 'unknown_url')
  // Under /v1 an unknown route is a 404, or a 401 first where the API needs a key.
  const api = await fetch(`${origin}/v1/no-such-route`)
  t.equal(api.status, authRequired ? 401 : 404)
  t.match(api.headers.get('content-type'), /application\/json/)
})

t.test('streams an answer naming the node that served it, with a verified PoE',
  { skip: apiSkip }, async (t) => {
    if (authRequired) await signInThroughPage(page)
    await page.goto(origin)
    const picker = page.getByTestId('model-picker')
    await picker.locator('option[value="stories260K"]').waitFor({ state: 'attached' })
    await picker.selectOption('stories260K')
    t.equal(await picker.inputValue(), 'stories260K')

    // Every length the answer's text takes on screen, to see it grow while streaming.
    await page.evaluate(() => {
      const seen: number[] = []
      Object.assign(window, { seenLengths: seen })
      new MutationObserver(() => {
        const text = document.querySelector('[data-testid=answer] .text')?.textContent ?? ''
        if (text.length > 0 && seen.at(-1) !== text.length) seen.push(text.length)
      }).observe(document.body, { subtree: true, childList: true, characterData: true })
    })
    await page.getByTestId('prompt').fill('Once upon a time')
    await page.getByTestId('prompt').press('Enter')
    const answer = page.locator('[data-testid=answer][data-status=done]')
    await answer.waitFor({ timeout: 60_000 })

    const text = await answer.locator('.text').innerText()
    t.ok(text.trim().length > 20, `answer is "${text.slice(0, 60)}…"`)
    const lengths = await page.evaluate(() => (window as unknown as { seenLengths: number[] })
      .seenLengths)
    t.ok(lengths.length >= 2, `the text grew in ${lengths.length} steps`)
    t.match(page.url(), /\/c\/[\w-]+$/)

    const peerId = await answer.getByTestId('served-node').getAttribute('data-peer-id')
    t.ok(peerIds.includes(peerId!), `served by ${peerId}`)
    await answer.locator('[data-testid=poe-badge][data-state=verified]').waitFor()
    t.match(await answer.getByTestId('cost').innerText(), /^(—|.* PRLX)$/)

    await answer.getByRole('button', { name: 'Proof' }).click()
    const receipt = JSON.parse(await answer.getByTestId('receipt').innerText()) as
      { node: string, operator: string }
    const node = devnet.nodes.find((n) => n.peerId === peerId)!
    t.equal(receipt.node, peerId)
    t.equal(receipt.operator.toLowerCase(), node.operator.toLowerCase())
    await answer.getByTestId('poe-details').evaluate((el) => { el.scrollIntoView() })
    await screenshot(page, 'chat-answer-with-proof')
  })

t.test('keeps the conversation and its proof across a reload', { skip: apiSkip }, async (t) => {
  await page.reload()
  const answer = page.locator('[data-testid=answer][data-status=done]')
  await answer.locator('[data-testid=poe-badge][data-state=verified]').waitFor()
  t.equal(await page.locator('.conversation').count(), 1)
  t.equal(await page.locator('.conversation a').innerText(), 'Once upon a time')
})

t.test('lists both nodes in the pool view and refreshes it every 2 s', { skip: apiSkip },
  async (t) => {
    if (authRequired && await sessionOf(page) === null) await signInThroughPage(page)
    await page.goto(origin)
    await page.getByRole('link', { name: 'Pool' }).click()
    t.match(page.url(), /\/pool$/)
    const rows = page.getByTestId('pool-row')
    await rows.nth(1).waitFor({ timeout: 10_000 })
    const shown = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-peer-id')))
    t.same(shown.sort(), peerIds)
    t.match(await rows.first().innerText(), /stories260K/)

    let polls = 0
    const count = (req: { url: () => string }): void => {
      if (req.url().endsWith('/v1/nodes')) polls++
    }
    page.on('request', count)
    await page.waitForTimeout(4500)
    page.off('request', count)
    t.ok(polls >= 2, `asked for the pool ${polls} times in 4.5 s`)
    await screenshot(page, 'pool')
  })

// A tab of its own: sessions live in sessionStorage, one per tab.
const developer: Page = await browser.newPage({ viewport: { width: 1280, height: 900 } })

t.test('signs in with the devnet wallet and its spending authorization',
  { skip: signInSkip }, async (t) => {
    const wallet = await (await fetch(`${origin}/devnet/wallet`)).json() as { address: string }
    const terms = await (await fetch(`${origin}/v1/auth/nonce`)).json() as
      { credits: string | null }
    await signInThroughPage(developer)

    const session = await sessionOf(developer)
    t.match(session.token, /^ps_/)
    t.equal(session.account.toLowerCase(), wallet.address.toLowerCase())
    t.equal(await developer.getByTestId('account').getAttribute('title'), session.account)
    // With a vault, sign-in also signs the vault's authorization; without, it says why not.
    t.equal(await developer.getByTestId('authorization-note').count(),
      terms.credits === null ? 1 : 0)
  })

t.test('creates an API key, shows it once, and revokes it', { skip: signInSkip },
  async (t) => {
    if (await sessionOf(developer) === null) await signInThroughPage(developer)
    await developer.getByTestId('key-name').fill('console test')
    await developer.getByRole('button', { name: 'Create key' }).click()
    const secret = await developer.getByTestId('new-key-secret').innerText()
    t.match(secret, /^pk_live_[0-9A-Za-z]{43}$/)
    const row = developer.locator('[data-testid=key-row]', { hasText: 'console test' })
    await row.waitFor()
    t.match(await row.innerText(), secret.slice(-4))
    const withKey = { headers: { authorization: `Bearer ${secret}` } }
    t.equal((await fetch(`${devnet.apiBase}/nodes`, withKey)).status, 200)
    await screenshot(developer, 'developer-new-key')

    await row.getByRole('button', { name: 'Revoke' }).click()
    await developer.locator('[data-testid=key-row][data-revoked=true]',
      { hasText: 'console test' }).waitFor()
    t.equal((await fetch(`${devnet.apiBase}/nodes`, withKey)).status, 401)
  })

t.test('follows the system dark mode and folds the sidebar on a phone', async (t) => {
  await page.goto(origin)
  await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' })
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor)
  t.equal(background, 'rgb(18, 19, 23)')
  await page.getByTestId('prompt').waitFor()
  await screenshot(page, 'chat-dark')

  await page.setViewportSize({ width: 390, height: 844 })
  const sidebar = page.locator('aside.sidebar')
  t.equal(await sidebar.evaluate((el) => el.getBoundingClientRect().right <= 0), true)
  await page.getByRole('button', { name: 'Open menu' }).click()
  t.equal(await sidebar.evaluate((el) => el.getBoundingClientRect().left), 0)
  await screenshot(page, 'phone-menu-dark')
  await page.emulateMedia({ colorScheme: 'light' })
  await page.getByRole('link', { name: 'Pool' }).click()
  if (apiSkip === undefined) await page.getByTestId('pool-row').nth(1).waitFor()
  await screenshot(page, 'phone-pool')
})
