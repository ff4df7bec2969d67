import { expect, test } from '@playwright/test';
import { As, daysAhead, mentorAvailable, offering, person, request as book, signIn, unique } from '../helpers';

// The mentor must give a reason; the API's own refusal of a too-long one
// shows next to the field; the mentee reads the reason on their booking.
test('a mentor rejects with a reason and the mentee reads it', async ({ browser, request }) => {
  const id = unique();
  const mentorId = `mentor-lamport-${id}`;
  const menteeId = `mentee-bob-${id}`;
  const m = await mentorAvailable(request, mentorId);
  const off = await offering(m, { name: 'Code review' });
  const b = await book(await As.user(request, menteeId, 'mentee'), mentorId, off, daysAhead(5), { menteeName: 'Bob Builder' });

  const mentorCtx = await person(browser, { timezoneId: 'Europe/Berlin' });
  const mentor = await mentorCtx.newPage();
  await signIn(mentor, mentorId, 'mentor', 'Leslie Lamport', '/mentor/pending');
  const card = mentor.getByRole('article', { name: /Code review, Bob Builder/ });
  await card.getByRole('button', { name: 'Reject' }).click();
  const dialog = mentor.getByRole('dialog', { name: 'Reject this request' });
  await dialog.getByRole('button', { name: 'Reject request' }).click();
  await expect(dialog.getByText('Give the mentee a reason.')).toBeVisible();
  await expect(dialog.getByLabel('Reason')).toHaveAttribute('aria-invalid', 'true');

  // Too long for the API: its field violation lands under the field.
  await dialog.getByLabel('Reason').fill('x'.repeat(1001));
  await dialog.getByRole('button', { name: 'Reject request' }).click();
  await expect(dialog.getByText('Reason must be at most 1000 characters.')).toBeVisible();

  await dialog.getByLabel('Reason').fill('Outside my expertise: try a Rust mentor');
  await dialog.getByRole('button', { name: 'Reject request' }).click();
  await expect(dialog).toBeHidden();
  await expect(mentor.getByText('No pending requests.')).toBeVisible();

  const menteeCtx = await person(browser, { timezoneId: 'America/New_York', phone: true });
  const mentee = await menteeCtx.newPage();
  await signIn(mentee, menteeId, 'mentee', 'Bob Builder', `/bookings/${b.id}`);
  await expect(mentee.getByRole('heading', { level: 1 })).toContainText('Rejected');
  const outcome = mentee.getByRole('region', { name: 'Outcome' });
  await expect(outcome).toContainText('Outside my expertise: try a Rust mentor');
  await expect(outcome).toContainText('the mentor');
  await mentorCtx.close();
  await menteeCtx.close();
});
