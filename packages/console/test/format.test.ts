import t from 'tap'
import { formatPrlx, formatPrlxString, prlxToNumber } from '../src/format/prlx.ts'
import { shortMiddle, toEpochMs } from '../src/format/text.ts'

const PRLX = 10n ** 18n

t.test('shows whole PRLX with thousands separators and up to four decimals', async (t) => {
  t.equal(formatPrlx(1234n * PRLX + PRLX / 2n), '1,234.5 PRLX')
  t.equal(formatPrlx(3n * PRLX + 123456789n * 10n ** 9n), '3.1234 PRLX')
  t.equal(formatPrlx(0n), '0 PRLX')
})

t.test('shows amounts under one PRLX with eight decimals, truncated', async (t) => {
  t.equal(formatPrlx(123_456_789_999n * 10n ** 3n), '0.00012345 PRLX')
  t.equal(formatPrlx(10n ** 10n), '0.00000001 PRLX')
})

t.test('says "less than" for a positive amount too small to show', async (t) => {
  t.equal(formatPrlx(1n), '< 0.00000001 PRLX')
})

t.test('shows a dash for a cost the API left out or malformed', async (t) => {
  t.equal(formatPrlxString(null), '—')
  t.equal(formatPrlxString(undefined), '—')
  t.equal(formatPrlxString('1.5'), '—')
  t.equal(formatPrlxString('2000000000000000000'), '2 PRLX')
})

t.test('converts base units to a float of PRLX for charts', async (t) => {
  t.equal(prlxToNumber(PRLX * 3n / 2n), 1.5)
})

t.test('reads epoch seconds, epoch milliseconds and ISO strings as epoch ms', async (t) => {
  t.equal(toEpochMs(1_700_000_000), 1_700_000_000_000)
  t.equal(toEpochMs(1_700_000_000_123), 1_700_000_000_123)
  t.equal(toEpochMs('1700000000'), 1_700_000_000_000)
  t.equal(toEpochMs('2026-12-03T00:00:00.000Z'), Date.UTC(2026, 11, 3))
  t.equal(toEpochMs('not a date'), null)
  t.equal(toEpochMs(null), null)
})

t.test('shortens a long identifier to its start and end', async (t) => {
  t.equal(shortMiddle('0x1234567890abcdef1234567890abcdef12345678'), '0x1234…5678')
  t.equal(shortMiddle('short'), 'short')
})
