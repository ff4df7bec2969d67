import { expect, test } from '@playwright/test';
import { As, daysAhead, mentorAvailable, nav, offering, person, request as book, signIn, unique } from '../helpers';
import { formatDateTime } from '../../src/lib/time';

// The rest of what mentors, mentees and operators do, each by clicking.

test('a mentor sets weekly hours, away mode and auto-approval', async ({ browser, request }) => {
  const mentorId = `mentor-hours-${unique()}`;
  const ctx = await person(browser, { timezoneId: 'Europe/Berlin' });
  const page = await ctx.newPage();
  await signIn(page, mentorId, 'mentor', 'Mary Hours', '/mentor/availability');
  await page.getByLabel('Time zone of your hours').selectOption('Europe/Berlin');
  await page.getByRole('button', { name: 'Add hours' }).click();
  const row = page.getByRole('group', { name: 'Weekly hours 1' });
  await row.getByLabel('Day').selectOption({ label: 'Tuesday' });
  await row.getByLabel('To').fill('25:00');
  await page.getByRole('button', { name: 'Save availability' }).click();
  // The API's refusal of a time that does not exist shows with the hours.
  await expect(page.locator('#hours-errors')).toBeVisible();
  await row.getByLabel('To').fill('17:30');
  await page.getByLabel('Away from (Europe/Berlin)').fill('2031-08-01T00:00');
  await page.getByLabel('Back on (Europe/Berlin)').fill('2031-08-15T00:00');
  await page.getByRole('button', { name: 'Save availability' }).click();
  await expect(page.getByText('Availability saved.')).toBeVisible();

  const api = await As.user(request, mentorId, 'mentor');
  const a = (await api.call('GET', `/v1/mentors/${mentorId}/availability`)).availability;
  expect(a.weeklyHours).toEqual([{ day: 'DAY_OF_WEEK_TUESDAY', startTime: '09:00', endTime: '17:30' }]);
  expect(a.awayStartTime).toBe('2031-07-31T22:00:00Z');

  await nav(page, 'Booking settings');
  await page.getByLabel('Approve new requests automatically').check();
  await page.getByLabel('Hours a request waits for your answer').fill('48');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Settings saved.')).toBeVisible();
  const st = (await api.call('GET', `/v1/mentors/${mentorId}/bookingSettings`)).settings;
  expect(st.autoApprove).toBe(true);
  expect(st.approvalWindow).toBe('172800s');

  await nav(page, 'Reputation & payouts');
  await expect(page.getByText('Standing')).toBeVisible();
  await expect(page.getByText('No payouts yet')).toBeVisible();
  await ctx.close();
});

test('a mentee offers three times, the mentor picks one; the mentee cancels and sees the refund first', async ({ browser, request }) => {
  const id = unique();
  const mentorId = `mentor-picks-${id}`;
  const menteeId = `mentee-three-${id}`;
  const m = await mentorAvailable(request, mentorId);
  await offering(m, { name: 'Mock interview', price: 5000 });

  const menteeCtx = await person(browser, { timezoneId: 'America/New_York', phone: true });
  const mentee = await menteeCtx.newPage();
  await signIn(mentee, menteeId, 'mentee', 'Tess Three', `/find?mentor=${mentorId}`);
  await mentee.getByRole('radio', { name: /Mock interview/ }).check();
  await mentee.getByLabel('Offer up to three preferred times; the mentor picks one').check();
  await mentee.getByRole('button', { name: 'Later →' }).click();
  const slots = mentee.locator('.slot');
  for (const i of [0, 5, 10, 15]) await slots.nth(i).click();
  // A fourth is not taken.
  await expect(mentee.locator('.slot[aria-pressed=true]')).toHaveCount(3);
  await mentee.getByRole('button', { name: 'Request session' }).click();
  await expect(mentee.getByRole('heading', { level: 1 })).toContainText('Pending');
  const bookingId = mentee.url().split('/').pop()!;
  const preferred: string[] = (await (await As.user(request, menteeId, 'mentee')).call('GET', `/v1/bookings/${bookingId}`)).booking.preferredStartTimes;
  expect(preferred).toHaveLength(3);

  const mentorCtx = await person(browser, { timezoneId: 'Europe/Berlin' });
  const mentor = await mentorCtx.newPage();
  await signIn(mentor, mentorId, 'mentor', 'Pat Picker', `/mentor/bookings/${bookingId}`);
  await mentor.getByRole('radio', { name: formatDateTime(preferred[1], 'Europe/Berlin') }).check();
  await mentor.getByRole('button', { name: 'Approve at this time' }).click();
  await expect(mentor.getByRole('heading', { level: 1 })).toContainText('Confirmed');
  await expect(mentor.locator('dl.facts').first()).toContainText(formatDateTime(preferred[1], 'Europe/Berlin'));

  await mentee.reload();
  await mentee.getByRole('button', { name: 'Cancel booking' }).click();
  const dialog = mentee.getByRole('dialog', { name: 'Cancel booking' });
  await expect(dialog.getByTestId('cancel-consequence')).toHaveText('You are refunded €50.00 in full.');
  await dialog.getByRole('button', { name: 'Yes, cancel' }).click();
  await expect(mentee.getByRole('heading', { level: 1 })).toContainText('Cancelled');
  await expect(mentee.getByRole('region', { name: 'Outcome' })).toContainText('the mentee');
  await menteeCtx.close();
  await mentorCtx.close();
});

test("an operator reads the development mailbox and a mentor's standing", async ({ browser, request }) => {
  const id = unique();
  const mentorId = `mentor-op-${id}`;
  const m = await mentorAvailable(request, mentorId);
  const off = await offering(m, { name: 'Mentoring' });
  const b = await book(await As.user(request, `mentee-op-${id}`, 'mentee'), mentorId, off, daysAhead(3), { menteeName: 'Olga Op' });
  await m.call('POST', `/v1/bookings/${b.id}:approve`, {});

  const ctx = await person(browser, { timezoneId: 'UTC' });
  const page = await ctx.newPage();
  await signIn(page, `admin-${id}`, 'admin', 'Operator', '/admin/mailbox');
  await page.getByLabel('Only mail to').fill(`mentee-op-${id}@example.com`);
  await expect(page.getByText(/approved your session/).first()).toBeVisible();
  await page.getByText(/approved your session/).first().click();
  // The email's link lands on the mentee's page of the booking.
  await expect(page.locator('pre.mail').first()).toContainText(`/bookings/${b.id}`);

  await nav(page, 'Mentor standing');
  await page.getByLabel('Mentor id').fill(mentorId);
  await page.getByRole('button', { name: 'Look up' }).click();
  await expect(page.getByText('Approval rate')).toBeVisible();
  await nav(page, 'All bookings');
  await expect(page.getByRole('row', { name: /Olga Op/ })).toContainText('Confirmed');
  await ctx.close();
});
