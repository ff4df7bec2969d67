import { expect, test } from '@playwright/test';
import { token, unique } from '../helpers';

// The OpenAPI document declares the bearer scheme, so Swagger UI's
// Authorize sends the token and "Try it out" gets an answer, not a 401.
test("Swagger UI's Authorize sends the bearer token", async ({ page, request }) => {
  const tok = await token(request, `mentor-swagger-${unique()}`, 'mentor');
  await page.goto('/docs');
  await page.getByRole('button', { name: 'Authorize' }).first().click();
  const modal = page.locator('.modal-ux');
  await modal.locator('input[type=text], input[type=password]').first().fill(`Bearer ${tok}`);
  await modal.getByRole('button', { name: 'Apply credentials' }).click();
  await modal.getByRole('button', { name: 'Close' }).first().click();

  const op = page.locator('#operations-BookingService-BookingService_ListBookings');
  await op.locator('.opblock-summary').click();
  await op.getByRole('button', { name: 'Try it out' }).click();
  await op.getByRole('button', { name: 'Execute' }).click();
  await expect(op.locator('.live-responses-table tbody .response-col_status').first()).toHaveText('200');
  await expect(op.locator('.curl-command')).toContainText('Authorization: Bearer');
});
