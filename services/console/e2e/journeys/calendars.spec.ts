import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { daysAhead, mentorAvailable, nav, person, signIn, unique } from '../helpers';

/** A calendar feed on this machine: one busy hour, or 503 while down. */
function feed(): Promise<{ url: string; down: (d: boolean) => void; close: () => void }> {
  let isDown = false;
  const start = daysAhead(3).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const end = daysAhead(3).getTime() + 3_600_000;
  const endStr = new Date(end).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const ics = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//journey//EN', 'BEGIN:VEVENT', 'UID:busy@journey', 'DTSTAMP:20260101T000000Z',
    `DTSTART:${start}`, `DTEND:${endStr}`, 'SUMMARY:Busy', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
  const server: Server = createServer((_, res) => {
    if (isDown) {
      res.writeHead(503).end('maintenance');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/calendar' }).end(ics);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}/work.ics`, down: (d) => (isDown = d), close: () => server.close() });
    }),
  );
}

// A mentor connects another calendar, sees when it was read and, once its
// server fails, why the last fetch failed while the last copy still counts;
// then removes it.
test('a mentor connects another calendar and sees its state', async ({ browser, request }) => {
  const f = await feed();
  const mentorId = `mentor-knuth-${unique()}`;
  await mentorAvailable(request, mentorId);
  const ctx = await person(browser, { timezoneId: 'Europe/Berlin' });
  const page = await ctx.newPage();
  await signIn(page, mentorId, 'mentor', 'Donald Knuth', '/mentor/pending');
  await nav(page, 'Other calendars');
  await expect(page.getByText('No other calendar connected.')).toBeVisible();

  await page.getByLabel('Name').fill('Work');
  await page.getByLabel('ICS address').fill('ftp://example.com/cal.ics');
  await page.getByRole('button', { name: 'Connect calendar' }).click();
  await expect(page.getByText('must be an http, https or webcal address')).toBeVisible();

  await page.getByLabel('ICS address').fill(f.url);
  await page.getByRole('button', { name: 'Connect calendar' }).click();
  const card = page.getByRole('listitem', { name: 'Work' });
  await expect(card.getByText('Up to date')).toBeVisible();
  await expect(card).toContainText('(1 busy periods)');

  f.down(true);
  await card.getByRole('button', { name: 'Refresh Work now' }).click();
  await expect(card.getByText('Last fetch failed')).toBeVisible();
  await expect(card).toContainText('the server answered 503 Service Unavailable. The busy times above still count.');
  await expect(card).toContainText('(1 busy periods)');

  await card.getByRole('button', { name: 'Remove Work' }).click();
  await expect(page.getByText('No other calendar connected.')).toBeVisible();
  f.close();
  await ctx.close();
});
