import { expect, test } from '@playwright/test';
import { As, mentorAvailable, offering, person, request as book, signIn, unique } from '../helpers';

// A class with a party of three and a single seat: once it has started, one
// click completes every booking of the session.
test('a mentor marks a group session complete-all', async ({ browser, request }) => {
  const id = unique();
  const mentorId = `mentor-turing-${id}`;
  const m = await mentorAvailable(request, mentorId);
  const off = await offering(m, { name: 'Yoga class', minutes: 5, price: 1500, capacity: 6 });
  // The earliest a session may start is a minute ahead.
  const start = new Date(Date.now() + 70_000);
  start.setUTCMilliseconds(0);
  const group = await book(await As.user(request, `mentee-gus-${id}`, 'mentee'), mentorId, off, start, {
    menteeName: 'Gus Group',
    partySize: 3,
    attendeeNames: ['Ann', 'Ben'],
  });
  const single = await book(await As.user(request, `mentee-hal-${id}`, 'mentee'), mentorId, off, start, { menteeName: 'Hal Single' });
  for (const b of [group, single]) await m.call('POST', `/v1/bookings/${b.id}:approve`, {});

  const ctx = await person(browser, { timezoneId: 'Europe/Berlin' });
  const page = await ctx.newPage();
  await signIn(page, mentorId, 'mentor', 'Alan Turing', `/mentor/bookings/${group.id}`);
  await expect(page.getByText('Ann, Ben')).toBeVisible();
  // Nothing can be marked before the class starts.
  await expect(page.getByRole('button', { name: 'Complete all in this session' })).toBeHidden();

  await page.waitForTimeout(Math.max(0, start.getTime() - Date.now()) + 1_000);
  await page.goto('/mentor/confirm');
  const session = page.getByRole('article', { name: /Yoga class at/ });
  await expect(session.getByRole('link', { name: 'Gus Group (party of 3)' })).toBeVisible();
  await expect(session.getByRole('link', { name: 'Hal Single' })).toBeVisible();
  await session.getByRole('button', { name: 'Complete all' }).click();
  await expect(page.getByText('Nothing to confirm.')).toBeVisible();

  for (const b of [group, single]) {
    await page.goto(`/mentor/bookings/${b.id}`);
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Completed');
  }
  await ctx.close();

  // The mentee reviews the completed session.
  const menteeCtx = await person(browser, { timezoneId: 'America/New_York', phone: true });
  const mentee = await menteeCtx.newPage();
  await signIn(mentee, `mentee-gus-${id}`, 'mentee', 'Gus Group', `/bookings/${group.id}`);
  await mentee.getByRole('radio', { name: '5' }).check();
  await mentee.getByLabel('Your words (optional)').fill('Calm and clear');
  await mentee.getByRole('button', { name: 'Send review' }).click();
  await expect(mentee.getByText('Thank you: your review is recorded.')).toBeVisible();
  await menteeCtx.close();
});
