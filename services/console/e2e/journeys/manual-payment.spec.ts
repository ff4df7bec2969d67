import { expect, test } from '@playwright/test';
import { As, daysAhead, mentorAvailable, offering, person, request as book, signIn, unique } from '../helpers';

// A bank transfer: approved, it waits for the money; the mentor marks it
// paid, keeps private notes and messages the mentee, who replies.
test('a mentor marks a bank transfer paid, keeps notes and messages the mentee, who replies', async ({ browser, request }) => {
  const id = unique();
  const mentorId = `mentor-bank-${id}`;
  const menteeId = `mentee-bank-${id}`;
  const m = await mentorAvailable(request, mentorId);
  const off = await offering(m, { name: 'Portfolio review' });
  const b = await book(await As.user(request, menteeId, 'mentee'), mentorId, off, daysAhead(3), {
    menteeName: 'Bea Bank',
    paymentMethod: 'PAYMENT_METHOD_BANK_TRANSFER',
  });
  await m.call('POST', `/v1/bookings/${b.id}:approve`, {});

  const ctx = await person(browser, { timezoneId: 'Europe/Berlin' });
  const page = await ctx.newPage();
  await signIn(page, mentorId, 'mentor', 'Mia Mentor', `/mentor/bookings/${b.id}`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Awaiting payment');
  await page.getByRole('button', { name: 'Mark paid' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Confirmed');
  await expect(page.locator('dl.facts').first()).toContainText('Bank transfer · Paid');

  await page.getByLabel('Only you see these').fill('Check her design links first');
  await page.getByRole('button', { name: 'Save notes' }).click();
  await expect(page.getByText('Notes saved.')).toBeVisible();
  await page.getByLabel('Message the mentee (sent by email too)').fill('Please bring your portfolio link');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByRole('region', { name: 'Messages' }).getByText('Please bring your portfolio link')).toBeVisible();

  const menteeCtx = await person(browser, { timezoneId: 'America/New_York', phone: true });
  const mentee = await menteeCtx.newPage();
  await signIn(mentee, menteeId, 'mentee', 'Bea Bank', `/bookings/${b.id}`);
  const thread = mentee.getByRole('region', { name: 'Messages' });
  await expect(thread.getByText('Please bring your portfolio link')).toBeVisible();
  // The notes are the mentor's alone.
  await expect(mentee.getByText('Check her design links first')).toBeHidden();
  await mentee.getByLabel('Reply to the mentor').fill('Will do, thanks');
  await mentee.getByRole('button', { name: 'Send' }).click();
  await expect(thread.getByText('Will do, thanks')).toBeVisible();

  await page.reload();
  await expect(page.getByRole('region', { name: 'Messages' }).getByText('Will do, thanks')).toBeVisible();
  await expect(page.getByLabel('Only you see these')).toHaveValue('Check her design links first');
  await ctx.close();
  await menteeCtx.close();
});
