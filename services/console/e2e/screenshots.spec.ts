// Screenshots of the main pages for docs/screenshots, taken from a running
// stack (`make dev`, then `make screenshots`). Seeds its own mentor and
// mentees through the API, then visits the pages as they would.
import { expect, test } from '@playwright/test';
import { As, daysAhead, mentorAvailable, offering, person, request as book, signIn, unique } from './helpers';

const out = (name: string) => `../../docs/screenshots/${name}.png`;

test('screenshots of the main pages', async ({ browser, request }) => {
  test.setTimeout(240_000);
  const id = unique();
  const mentorId = `grace-${id}`;
  const m = await mentorAvailable(request, mentorId);
  const chat = await offering(m, { name: 'Career chat' });
  await offering(m, { name: 'Yoga class', minutes: 45, price: 1500, capacity: 8 });
  const ada = await As.user(request, `ada-${id}`, 'mentee');
  const first = await book(ada, mentorId, chat, daysAhead(2), {
    menteeName: 'Ada Lovelace',
    message: 'I would like help structuring the test suite of my Go service.',
    intakeAnswers: { 'What would you like to get out of this session?': 'A plan for integration tests' },
  });
  await book(await As.user(request, `alan-${id}`, 'mentee'), mentorId, chat, daysAhead(3), { menteeName: 'Alan Turing', message: 'Career advice' });
  const confirmed = await book(await As.user(request, `edsger-${id}`, 'mentee'), mentorId, chat, daysAhead(1), { menteeName: 'Edsger Dijkstra' });
  await m.call('POST', `/v1/bookings/${confirmed.id}:approve`, {});

  const desk = await person(browser, { timezoneId: 'Europe/Berlin' });
  const page = await desk.newPage();
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Sign in to bookwell' })).toBeVisible();
  await page.screenshot({ path: out('sign-in') });
  await signIn(page, mentorId, 'mentor', 'Grace Hopper', '/mentor/pending');
  await expect(page.getByText('Still free').first()).toBeVisible();
  await page.screenshot({ path: out('mentor-pending'), fullPage: true });
  await page.goto(`/mentor/bookings/${first.id}`);
  await expect(page.getByRole('region', { name: 'To decide' })).toBeVisible();
  await page.screenshot({ path: out('mentor-booking'), fullPage: true });
  await page.goto('/mentor/bookings');
  await expect(page.getByRole('row', { name: /Edsger/ })).toBeVisible();
  await page.screenshot({ path: out('mentor-all-sessions'), fullPage: true });
  await page.goto('/inbox');
  await expect(page.getByRole('heading', { name: 'Inbox' })).toBeVisible();
  await expect(page.getByRole('article').first()).toBeVisible();
  await page.screenshot({ path: out('inbox'), fullPage: true });

  const phone = await person(browser, { timezoneId: 'America/New_York', phone: true });
  const p = await phone.newPage();
  await signIn(p, `ada-${id}`, 'mentee', 'Ada Lovelace', `/find?mentor=${mentorId}`);
  await p.getByRole('radio', { name: /Career chat/ }).check();
  await p.locator('.slot').nth(3).click();
  await p.screenshot({ path: out('mentee-book-phone'), fullPage: true });
  await p.goto(`/bookings/${first.id}`);
  await expect(p.getByRole('heading', { level: 1 })).toContainText('Pending');
  await p.screenshot({ path: out('mentee-booking-phone'), fullPage: true });
  await desk.close();
  await phone.close();
});
