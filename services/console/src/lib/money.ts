// Money: integer minor units in the API (a cent of USD, a yen of JPY, a fils,
// a thousandth, of KWD), decimals for a person.

export interface Amount {
  currency?: string;
  amountMinor?: string | number;
}

/** "€50.00", "¥5,000", "KWD 1.500" (en-GB formatting of the currency, with its own decimals). */
export function formatMoney(m: Amount | undefined): string {
  if (!m || !m.currency) return '—';
  const minor = Number(m.amountMinor ?? 0);
  try {
    const f = new Intl.NumberFormat('en-GB', { style: 'currency', currency: m.currency });
    // The currency's decimals (0 for JPY, 3 for KWD) say what a minor unit is.
    return f.format(minor / 10 ** (f.resolvedOptions().maximumFractionDigits ?? 2));
  } catch {
    return `${m.currency} ${(minor / 100).toFixed(2)}`;
  }
}

/** A decimal a person typed ("12.5", "12,50") in minor units, or null if it is not an amount. */
export function parseAmount(text: string): number | null {
  const t = text.trim().replace(',', '.');
  if (!/^\d+(\.\d{1,2})?$/.test(t)) return null;
  const [whole, frac = ''] = t.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

export function minor(m: Amount | undefined): number {
  return Number(m?.amountMinor ?? 0);
}
