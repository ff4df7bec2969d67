import { expect, test } from '@playwright/test';
import { As, daysAhead, mentorAvailable, offering, person, request as book, signIn, unique } from '../helpers';

// A partial goodwill refund of a paid session, with a note; too much is
// refused next to the amount before anything is sent.
test('a mentor refunds part of a paid session', async ({ browser, request }) => {
  const id = unique();
  const mentorId = `mentor-knuth-${id}`;
  const m = await mentorAvailable(request, mentorId);
  const off = await offering(m, { name: 'Algorithms', price: 5000 });
  const b = await book(await As.user(request, `mentee-fay-${id}`, 'mentee'), mentorId, off, daysAhead(4), { menteeName: 'Fay Wray' });
  await m.call('POST', `/v1/bookings/${b.id}:approve`, {});

  const ctx = await person(browser, { timezoneId: 'Europe/Berlin' });
  const page = await ctx.newPage();
  await signIn(page, mentorId, 'mentor', 'Donald Knuth', `/mentor/bookings/${b.id}`);
  await expect(page.locator('dl.facts').first()).toContainText('Card · Paid');
  await page.getByRole('button', { name: 'Refund' }).click();
  const dialog = page.getByRole('dialog', { name: 'Refund the mentee' });
  await expect(dialog).toContainText('€50.00 can still be refunded');
  await dialog.getByRole('radio', { name: 'Partial refund' }).check();
  await dialog.getByLabel('Amount (EUR)').fill('60');
  await dialog.getByRole('button', { name: 'Refund now' }).click();
  await expect(dialog.getByText('At most €50.00 can still be refunded.')).toBeVisible();

  await dialog.getByLabel('Amount (EUR)').fill('20');
  await dialog.getByLabel('Note to the mentee (optional)').fill('Sorry for the late start');
  await dialog.getByRole('button', { name: 'Refund now' }).click();
  await expect(dialog).toBeHidden();
  const facts = page.locator('dl.facts').first();
  await expect(facts).toContainText('Card · Partially refunded');
  await expect(facts).toContainText('€20.00');

  // The rest can still go back.
  await page.getByRole('button', { name: 'Refund' }).click();
  await expect(page.getByRole('dialog', { name: 'Refund the mentee' })).toContainText('€30.00 can still be refunded');
  await ctx.close();
});
