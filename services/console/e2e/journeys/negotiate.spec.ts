import { expect, test } from '@playwright/test';
import { As, daysAhead, mentorAvailable, offering, person, request as book, signIn, unique } from '../helpers';
import { formatDateTime, fromLocalInput, toLocalInput } from '../../src/lib/time';

// The mentor suggests another time from the booking's page (where email
// links land); the mentee counters; the mentor accepts: the session is
// confirmed at the mentee's time.
test('a proposal is countered and accepted', async ({ browser, request }) => {
  const id = unique();
  const mentorId = `mentor-liskov-${id}`;
  const menteeId = `mentee-dan-${id}`;
  const m = await mentorAvailable(request, mentorId);
  const off = await offering(m, { name: 'Design review' });
  const at = daysAhead(6);
  const b = await book(await As.user(request, menteeId, 'mentee'), mentorId, off, at, { menteeName: 'Dan Abramov' });

  const mentorCtx = await person(browser, { timezoneId: 'Europe/Berlin' });
  const mentor = await mentorCtx.newPage();
  await signIn(mentor, mentorId, 'mentor', 'Barbara Liskov', `/mentor/bookings/${b.id}`);
  await mentor.getByRole('button', { name: 'Suggest another time' }).click();
  let dialog = mentor.getByRole('dialog', { name: 'Suggest another time' });
  const mentorTime = toLocalInput(new Date(at.getTime() + 86_400_000), 'Europe/Berlin');
  await dialog.getByLabel('New start (Europe/Berlin)').fill(mentorTime);
  await dialog.getByLabel('Note (optional)').fill('Next day?');
  await dialog.getByRole('button', { name: 'Send proposal' }).click();
  await expect(mentor.getByRole('heading', { level: 1 })).toContainText('New time proposed');
  await expect(mentor.getByRole('region', { name: 'Proposed time' })).toContainText('Waiting for the other side');

  const menteeCtx = await person(browser, { timezoneId: 'America/New_York', phone: true });
  const mentee = await menteeCtx.newPage();
  await signIn(mentee, menteeId, 'mentee', 'Dan Abramov', `/bookings/${b.id}`);
  const proposal = mentee.getByRole('region', { name: 'Proposed time' });
  await expect(proposal).toContainText(formatDateTime(fromLocalInput(mentorTime, 'Europe/Berlin'), 'America/New_York'));
  await expect(proposal).toContainText('Next day?');
  await proposal.getByRole('button', { name: 'Propose another time' }).click();
  dialog = mentee.getByRole('dialog', { name: 'Propose another time' });
  const counter = toLocalInput(new Date(at.getTime() + 86_400_000 + 2 * 3_600_000), 'America/New_York');
  await dialog.getByLabel('New start (America/New_York)').fill(counter);
  await dialog.getByRole('button', { name: 'Send proposal' }).click();
  await expect(mentee.getByRole('region', { name: 'Proposed time' })).toContainText('You proposed');

  await mentor.reload();
  const counterAt = fromLocalInput(counter, 'America/New_York');
  await expect(mentor.getByRole('region', { name: 'Proposed time' })).toContainText(formatDateTime(counterAt, 'Europe/Berlin'));
  await mentor.getByRole('button', { name: 'Accept this time' }).click();
  await expect(mentor.getByRole('heading', { level: 1 })).toContainText('Confirmed');
  await expect(mentor.locator('dl.facts').first()).toContainText(formatDateTime(counterAt, 'Europe/Berlin'));

  await mentee.reload();
  await expect(mentee.getByRole('heading', { level: 1 })).toContainText('Confirmed');
  await expect(mentee.locator('dl.facts').first()).toContainText(formatDateTime(counterAt, 'America/New_York'));
  await mentorCtx.close();
  await menteeCtx.close();
});
