import { expect, test } from '@playwright/test';
import { As, daysAhead, mentorAvailable, offering, person, request as book, signIn, unique } from '../helpers';

// A mentor deactivated by five cancellations in a row; an operator lifts it
// from the console, with a reason, and the mentor is active again.
test('an operator lifts a deactivated mentor with a reason', async ({ browser, request }) => {
  const id = unique();
  const mentorId = `mentor-liskov-${id}`;
  const m = await mentorAvailable(request, mentorId);
  const off = await offering(m, { name: 'Design review' });
  const mentee = await As.user(request, `mentee-carol-${id}`, 'mentee');
  for (let i = 0; i < 5; i++) {
    const b = await book(mentee, mentorId, off, daysAhead(5 + i));
    await m.call('POST', `/v1/bookings/${b.id}:approve`, {});
    await m.call('POST', `/v1/bookings/${b.id}:cancel`, { reason: 'double-booked' });
  }
  await expect
    .poll(async () => (await m.call('GET', `/v1/mentors/${mentorId}/reputation`)).reputation?.standing, { timeout: 20_000 })
    .toBe('STANDING_DEACTIVATED');

  const ctx = await person(browser, { timezoneId: 'Europe/Berlin' });
  const page = await ctx.newPage();
  await signIn(page, `admin-ops-${id}`, 'admin', 'Ops', '/admin/mentors');
  await page.getByLabel('Mentor id').fill(mentorId);
  await page.getByRole('button', { name: 'Look up' }).click();
  await expect(page.getByText(/^Deactivated — 5 cancellations/)).toBeVisible();

  const form = page.getByRole('form', { name: 'Lift a suspension or deactivation' });
  await form.getByRole('button', { name: 'Lift' }).click();
  await expect(form.getByText('Say why the sanction is lifted.')).toBeVisible();

  await form.getByLabel('Reason').fill('the cancellations came from a calendar sync bug, ticket 4711');
  await form.getByRole('button', { name: 'Lift' }).click();
  await expect(form.getByRole('status')).toHaveText('Lifted: Deactivated → Active.');
  await expect(page.getByText(/^Active — lifted by admin-ops-.*ticket 4711/)).toBeVisible();
  await expect(page.getByText('Cancellation streak')).toBeVisible();

  // Lifting again: the API says there is nothing to lift.
  await form.getByRole('button', { name: 'Lift' }).click();
  await expect(form.getByRole('alert')).toContainText('nothing to lift');
  await ctx.close();
});
