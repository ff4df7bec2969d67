import { expect, test } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { As, bell, mentorAvailable, nav, person, signIn, unique } from '../helpers';
import { formatDateTime } from '../../src/lib/time';

// A mentor adds an offering; a mentee on a phone in New York picks a free
// slot and requests it; the mentor's bell rings without a reload, they
// approve from the pending list; both see the session in their lists and
// the mentee's bell rings in turn.
test('a mentee requests a slot and the mentor approves it; both see it in their lists and bells', async ({ browser, request }) => {
  const id = unique();
  const mentorId = `mentor-grace-${id}`;
  const menteeId = `mentee-ada-${id}`;
  await mentorAvailable(request, mentorId);

  const mentorCtx = await person(browser, { timezoneId: 'Europe/Berlin' });
  const menteeCtx = await person(browser, { timezoneId: 'America/New_York', phone: true });
  const mentor = await mentorCtx.newPage();
  const mentee = await menteeCtx.newPage();

  // The mentor adds a paid offering by hand.
  await signIn(mentor, mentorId, 'mentor', 'Grace Hopper');
  await nav(mentor, 'Offerings');
  await mentor.getByLabel('Name').fill('Career chat');
  await mentor.getByLabel('Price per seat').fill('50');
  await mentor.getByRole('button', { name: 'Add offering' }).click();
  await expect(mentor.getByRole('heading', { name: 'Career chat' })).toBeVisible();
  await nav(mentor, 'Pending requests');
  await expect(mentor.getByText('No pending requests.')).toBeVisible();
  await expect(bell(mentor)).toHaveAccessibleName('Notifications, none unread');

  // The mentee finds the mentor's free times, shown in New York time.
  await signIn(mentee, menteeId, 'mentee', 'Ada Lovelace');
  await nav(mentee, 'Book a session');
  await mentee.getByLabel('Mentor', { exact: true }).fill(mentorId);
  await mentee.getByRole('button', { name: 'Show offerings' }).click();
  await mentee.getByRole('radio', { name: /Career chat/ }).check();
  await expect(mentee.getByText('Times are in your time zone, America/New_York.')).toBeVisible();
  await mentee.getByRole('button', { name: 'Later →' }).click();
  const slot = mentee.locator('.slot').first();
  await slot.click();
  await expect(slot).toHaveAttribute('aria-pressed', 'true');
  await mentee.getByLabel('Message to the mentor (optional)').fill('Help with my Go tests, please');
  await mentee.getByLabel('What would you like to get out of this session?').fill('A plan for the test suite');
  await mentee.getByRole('button', { name: 'Request session' }).click();
  await expect(mentee.getByRole('heading', { level: 1 })).toContainText('Pending');
  const bookingId = mentee.url().split('/').pop()!;

  // The time the mentee sees is the booking's start in New York time.
  const menteeApi = await As.user(request, menteeId, 'mentee');
  const booked = (await menteeApi.call('GET', `/v1/bookings/${bookingId}`)).booking;
  await expect(mentee.locator('dl.facts').first()).toContainText(`When${formatDateTime(booked.startTime, 'America/New_York')}`);

  // The mentor's bell rings without a reload; the request waits in the list.
  await expect(bell(mentor)).toHaveAccessibleName('Notifications, 1 unread');
  await nav(mentor, 'Pending requests');
  const card = mentor.getByRole('article', { name: /Career chat, Ada Lovelace/ });
  await expect(card).toContainText('Help with my Go tests, please');
  await expect(card).toContainText('A plan for the test suite');
  await expect(card).toContainText(formatDateTime(booked.startTime, 'Europe/Berlin'));
  await expect(card).toContainText('Still free');
  expect((await new AxeBuilder({ page: mentor }).analyze()).violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
  const menteeUnread = await bell(mentee).getAttribute('aria-label');
  await card.getByRole('button', { name: 'Approve' }).click();
  await expect(mentor.getByText('No pending requests.')).toBeVisible();

  // Both see it confirmed in their lists.
  await nav(mentor, 'All sessions');
  const row = mentor.getByRole('row', { name: /Ada Lovelace/ });
  await expect(row).toContainText('Confirmed');
  await nav(mentee, 'My bookings');
  await expect(mentee.getByRole('article', { name: new RegExp(`Career chat, with ${mentorId}`) })).toContainText('Confirmed');

  // And the mentee's bell rings for the approval, again without a reload.
  await expect(bell(mentee)).not.toHaveAccessibleName(menteeUnread ?? '');
  await bell(mentee).click();
  await expect(mentee.getByRole('link', { name: /Grace Hopper approved your session/ })).toBeVisible();
  expect((await new AxeBuilder({ page: mentee }).analyze()).violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
  await mentee.getByRole('link', { name: /Grace Hopper approved your session/ }).click();
  await expect(mentee.getByRole('heading', { level: 1 })).toContainText('Confirmed');
  await expect(mentee.getByRole('link', { name: 'Google' })).toBeVisible();

  await mentorCtx.close();
  await menteeCtx.close();
});
