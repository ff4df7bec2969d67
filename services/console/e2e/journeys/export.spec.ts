import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { As, daysAhead, mentorAvailable, offering, person, request as book, signIn, unique } from '../helpers';

// The filtered list downloads as CSV.
test('the CSV export downloads the filtered sessions', async ({ browser, request }) => {
  const id = unique();
  const mentorId = `mentor-hopper-${id}`;
  const m = await mentorAvailable(request, mentorId);
  const off = await offering(m, { name: 'Compilers' });
  const ada = await book(await As.user(request, `mentee-ada-${id}`, 'mentee'), mentorId, off, daysAhead(3), { menteeName: 'Ada Export' });
  const bob = await book(await As.user(request, `mentee-bob-${id}`, 'mentee'), mentorId, off, daysAhead(4), { menteeName: 'Bob Export' });

  const ctx = await person(browser, { timezoneId: 'Europe/Berlin' });
  const page = await ctx.newPage();
  await signIn(page, mentorId, 'mentor', 'Grace Hopper', '/mentor/bookings');
  await expect(page.getByRole('row', { name: /Ada Export/ })).toBeVisible();
  await expect(page.getByRole('row', { name: /Bob Export/ })).toBeVisible();

  await page.getByLabel('Search').fill('Ada Export');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByRole('row', { name: /Bob Export/ })).toBeHidden();
  await expect(page).toHaveURL(/q=Ada\+Export/);

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^bookings-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = await readFile((await file.path())!, 'utf8');
  expect(csv).toContain(ada.id);
  expect(csv).toContain('Ada Export');
  expect(csv).not.toContain(bob.id);
  await ctx.close();
});
