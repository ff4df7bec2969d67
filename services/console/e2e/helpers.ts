// What the browser journeys share: development tokens, seeding through the
// API (what is not the journey under test), and signing in by clicking.
import { expect, type APIRequestContext, type Browser, type BrowserContext, type Page } from '@playwright/test';

export type Role = 'mentee' | 'mentor' | 'admin';

/** A suffix that keeps this run's users apart from any other run's. */
export function unique(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}

export async function token(request: APIRequestContext, subject: string, role: Role): Promise<string> {
  const res = await request.post('/dev/token', { data: { subject, role } });
  expect(res.ok(), await res.text()).toBeTruthy();
  return (await res.json()).token as string;
}

/** Calls the REST API as a user, failing the test on anything but 200. */
export class As {
  constructor(
    readonly request: APIRequestContext,
    readonly id: string,
    readonly tok: string,
  ) {}

  static async user(request: APIRequestContext, id: string, role: Role): Promise<As> {
    return new As(request, id, await token(request, id, role));
  }

  async call(method: 'GET' | 'POST' | 'PUT' | 'PATCH', path: string, data?: unknown) {
    const res = await this.request.fetch(path, { method, data, headers: { Authorization: `Bearer ${this.tok}` } });
    const body = await res.text();
    expect(res.status(), `${method} ${path}: ${body}`).toBe(200);
    return JSON.parse(body || '{}');
  }
}

/** A mentor available all day every day in Europe/Berlin, bookable a minute ahead. */
export async function mentorAvailable(request: APIRequestContext, id: string): Promise<As> {
  const m = await As.user(request, id, 'mentor');
  const days = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];
  await m.call('PUT', `/v1/mentors/${id}/availability`, {
    timeZone: 'Europe/Berlin',
    weeklyHours: days.map((d) => ({ day: `DAY_OF_WEEK_${d}`, startTime: '00:00', endTime: '24:00' })),
    minNoticeMinutes: 1,
    horizonDays: 60,
  });
  return m;
}

export async function offering(m: As, o: { name: string; minutes?: number; price?: number; capacity?: number }): Promise<string> {
  const res = await m.call('POST', `/v1/mentors/${m.id}/offerings`, {
    name: o.name,
    kind: 'OFFERING_KIND_PAID',
    durationMinutes: o.minutes ?? 60,
    priceMinorUnits: String(o.price ?? 5000),
    currencyCode: 'EUR',
    capacity: o.capacity ?? 1,
    approvalRequired: true,
  });
  return res.offering.id as string;
}

/** A card-paid request made through the API. */
export async function request(
  mentee: As,
  mentorId: string,
  offeringId: string,
  start: Date,
  extra: Record<string, unknown> = {},
): Promise<Record<string, any>> {
  const res = await mentee.call('POST', '/v1/bookings', {
    requestId: unique(),
    cardToken: '4242424242424242',
    booking: {
      mentorId,
      offeringId,
      startTime: start.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      paymentMethod: 'PAYMENT_METHOD_CARD',
      menteeName: extra.menteeName ?? 'Ada Lovelace',
      menteeEmail: `${mentee.id}@example.com`,
      menteeTimeZone: 'America/New_York',
      ...extra,
    },
  });
  return res.booking;
}

/** A start time days ahead, on the hour. */
export function daysAhead(days: number): Date {
  const d = new Date(Date.now() + days * 86_400_000);
  d.setUTCMinutes(0, 0, 0);
  return d;
}

/** A browser context for one person: their time zone and screen. */
export async function person(browser: Browser, opts: { timezoneId: string; phone?: boolean }): Promise<BrowserContext> {
  return browser.newContext({
    timezoneId: opts.timezoneId,
    viewport: opts.phone ? { width: 390, height: 844 } : { width: 1280, height: 900 },
    isMobile: opts.phone,
    hasTouch: opts.phone,
    acceptDownloads: true,
  });
}

/** Signs in by clicking, as a person does in development mode. */
export async function signIn(page: Page, subject: string, role: Role, name: string, path = '/'): Promise<void> {
  await page.goto(path);
  await expect(page.getByRole('heading', { name: 'Sign in to bookwell' })).toBeVisible();
  await page.getByLabel('User id').fill(subject);
  await page.getByRole('radio', { name: role }).check();
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}

/** Opens the main menu on a phone (it is always shown on a desktop). */
export async function nav(page: Page, link: string): Promise<void> {
  const toggle = page.getByRole('button', { name: 'Menu' });
  if (await toggle.isVisible()) await toggle.click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link }).click();
}

/** The bell's unread count as the page shows it (0 when there is no badge). */
export function bell(page: Page) {
  return page.getByRole('link', { name: /^Notifications, / });
}
