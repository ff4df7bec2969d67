import { expect, test, type Page } from '@playwright/test';
import { person, unique } from '../helpers';

// The identity provider's sign-in (authorization code with PKCE), as a person
// clicks through it: the console outside development mode offers nothing
// else, the provider's page asks who they are, and its RS256 access token is
// what the gateway and the services then accept.
const idp = process.env.IDP_URL ?? '';

async function signInAtProvider(page: Page, path: string, who: { id: string; name: string; role: string }) {
  await page.goto(path);
  await expect(page.getByRole('heading', { name: 'Sign in to bookwell' })).toBeVisible();
  // No development sign-in outside development mode.
  await expect(page.getByLabel('User id')).toHaveCount(0);
  await page.getByRole('button', { name: 'Sign in with your account' }).click();
  await expect(page).toHaveURL((u) => u.href.startsWith(idp + '/authorize'));
  await expect(page.getByRole('heading', { name: 'Local identity provider' })).toBeVisible();
  const authorize = new URL(page.url());
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  await page.getByLabel('User id').fill(who.id);
  await page.getByLabel('Name').fill(who.name);
  await page.getByLabel('Role').selectOption({ label: who.role });
  await page.getByRole('button', { name: 'Continue' }).click();
}

test('a mentor signs in at the identity provider and lands on their pending requests', async ({ browser }) => {
  const ctx = await person(browser, { timezoneId: 'Europe/Berlin' });
  const page = await ctx.newPage();
  const id = `oidc-mentor-${unique()}`;
  await signInAtProvider(page, '/mentor/pending', { id, name: 'Grace Provider', role: 'mentor' });
  // Back at the page they asked for, with the provider's token: the list
  // comes from the gateway and booking, which checked it against the JWKS.
  await expect(page).toHaveURL(/\/mentor\/pending$/);
  await expect(page.getByRole('heading', { name: 'Pending requests', level: 1 })).toBeVisible();
  await expect(page.getByText('No pending requests.')).toBeVisible();
  await expect(page.getByText('Grace Provider')).toBeVisible();
  await expect(page.getByText('(mentor)')).toBeVisible();
  // The token the page holds is the provider's (RS256), not a development one.
  const tok = await page.evaluate(() => JSON.parse(localStorage.getItem('bookwell.session') || '{}').token as string);
  expect(JSON.parse(Buffer.from(tok.split('.')[0], 'base64url').toString()).alg).toBe('RS256');
  // The API itself accepts the provider's token.
  const res = await page.request.get(`/v1/mentors/${id}/offerings`, { headers: { Authorization: `Bearer ${tok}` } });
  expect(res.status(), await res.text()).toBe(200);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to bookwell' })).toBeVisible();
});

test('a mentee signs in on a phone and sees their bookings', async ({ browser }) => {
  const ctx = await person(browser, { timezoneId: 'America/New_York', phone: true });
  const page = await ctx.newPage();
  await signInAtProvider(page, '/', { id: `oidc-mentee-${unique()}`, name: 'Ada Provider', role: 'mentee' });
  await expect(page.getByRole('heading', { name: 'My bookings', level: 1 })).toBeVisible();
});

test('an account without a bookwell role is told so and stays signed out', async ({ browser }) => {
  const ctx = await person(browser, { timezoneId: 'UTC' });
  const page = await ctx.newPage();
  await signInAtProvider(page, '/', { id: `oidc-nobody-${unique()}`, name: 'No Role', role: 'no bookwell role' });
  await expect(page.getByRole('heading', { name: 'Could not sign you in', level: 1 })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText(/bookwell does not accept this account: .*names no bookwell role/i);
  expect(await page.evaluate(() => localStorage.getItem('bookwell.session'))).toBeNull();
});
