import { describe, expect, it } from 'vitest';
import { formatMoney, parseAmount } from './money';

describe('money', () => {
  it('shows minor units as the currency’s amount', () => {
    expect(formatMoney({ currency: 'EUR', amountMinor: '5000' })).toBe('€50.00');
    expect(formatMoney({ currency: 'USD', amountMinor: 1999 })).toBe('US$19.99');
    expect(formatMoney(undefined)).toBe('—');
    // Each currency's own decimals: none for JPY, three for KWD.
    expect(formatMoney({ currency: 'JPY', amountMinor: '5000' })).toBe('JP¥5,000');
    expect(formatMoney({ currency: 'KWD', amountMinor: 1500 })).toBe('KWD\u00a01.500');
  });

  it('reads what a person types into minor units without float errors', () => {
    expect(parseAmount('20')).toBe(2000);
    expect(parseAmount('0.29')).toBe(29);
    expect(parseAmount('12,5')).toBe(1250);
    expect(parseAmount('1.234')).toBeNull();
    expect(parseAmount('-3')).toBeNull();
    expect(parseAmount('')).toBeNull();
  });
});
