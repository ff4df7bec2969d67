import { expect, test, type APIRequestContext } from '@playwright/test';
import { As, daysAhead, mentorAvailable, offering, person, request as book, unique } from '../helpers';

/** The action links of the newest email to `to` about booking `id`. */
async function actionLinks(request: APIRequestContext, to: string, id: string): Promise<Record<string, string>> {
  const admin = await As.user(request, `admin-${unique()}`, 'admin');
  let links: Record<string, string> = {};
  await expect
    .poll(async () => {
      const box = await admin.call('GET', `/v1/devmailbox/messages?to=${encodeURIComponent(to)}`);
      const mail = (box.messages ?? []).find((m: { textBody?: string }) => m.textBody?.includes(id) && m.textBody.includes('/act/'));
      links = {};
      for (const line of (mail?.textBody ?? '').split('\n')) {
        const m = line.trim().match(/^([^:]+): (\S+\/act\/\S+)$/);
        if (m) links[m[1]] = m[2];
      }
      return Object.keys(links).length;
    })
    .toBeGreaterThan(0);
  return links;
}

// The mentor approves from the email, without signing in: the link's page
// asks first, the button approves, and the link does nothing a second time.
test('a mentor approves a request from the email', async ({ browser, request }) => {
  const id = unique();
  const mentorId = `mentor-hopper-${id}`;
  const menteeId = `mentee-ada-${id}`;
  const m = await mentorAvailable(request, mentorId);
  const off = await offering(m, { name: 'Career chat' });
  const b = await book(await As.user(request, menteeId, 'mentee'), mentorId, off, daysAhead(4), { menteeName: 'Ada Lovelace' });
  const links = await actionLinks(request, `${mentorId}@users.bookwell.local`, b.id);
  expect(Object.keys(links)).toEqual(['Approve', 'Reject', 'Suggest another time']);

  const ctx = await person(browser, { timezoneId: 'Europe/Berlin', phone: true }); // the mail app on a phone
  const page = await ctx.newPage();
  await page.goto(links.Approve);
  await expect(page.getByRole('heading', { name: 'Approve the request' })).toBeVisible();
  await expect(page.getByText('Approve Career chat with Ada Lovelace?')).toBeVisible();
  await expect(page.getByText('The time is still free.')).toBeVisible();
  await page.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByRole('heading', { name: 'Approved' })).toBeVisible();
  await expect(page.getByText('The session is confirmed.')).toBeVisible();

  await page.goto(links.Approve);
  await expect(page.getByRole('heading', { name: 'This link was used already' })).toBeVisible();
  await page.goto(links.Reject);
  await expect(page.getByText('There is nothing left to decide here: this booking is confirmed now.')).toBeVisible();
  await expect(page.getByRole('button')).toHaveCount(0);
  const mentee = await As.user(request, menteeId, 'mentee');
  expect((await mentee.call('GET', `/v1/bookings/${b.id}`)).booking.status).toBe('BOOKING_STATUS_CONFIRMED');
  await ctx.close();
});
