package money

import (
	"math"
	"testing"
)

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		code  string
		minor int64
		want  string
	}{
		{"JPY", 5000, "JPY 5,000"},
		{"KWD", 1500, "KWD 1.500"},
		{"USD", 1999, "USD 19.99"},
		{"EUR", 123450, "EUR 1,234.50"},
		{"EUR", 5, "EUR 0.05"},
		{"KWD", 7, "KWD 0.007"},
		{"JPY", 0, "JPY 0"},
		{"JPY", 1234567, "JPY 1,234,567"},
		{"USD", -1999, "USD -19.99"},
		{"BHD", 100_000, "BHD 100.000"},
		{"CLP", 990, "CLP 990"},
		{"USD", math.MinInt64, "USD -92,233,720,368,547,758.08"},
	} {
		if got := Format(c.code, c.minor); got != c.want {
			t.Errorf("Format(%s, %d) = %q, want %q", c.code, c.minor, got, c.want)
		}
	}
}

func TestDecimal(t *testing.T) {
	for _, c := range []struct {
		code  string
		minor int64
		want  string
	}{
		{"JPY", 5000, "5000"},
		{"KWD", 1500, "1.500"},
		{"USD", 1999, "19.99"},
		{"EUR", 123450, "1234.50"},
		{"USD", -50, "-0.50"},
		{"USD", 0, "0.00"},
	} {
		if got := Decimal(c.code, c.minor); got != c.want {
			t.Errorf("Decimal(%s, %d) = %q, want %q", c.code, c.minor, got, c.want)
		}
	}
}

func TestScale(t *testing.T) {
	for code, want := range map[string]int{"JPY": 0, "KRW": 0, "USD": 2, "EUR": 2, "GBP": 2, "KWD": 3, "BHD": 3, "TND": 3} {
		if got, ok := Scale(code); !ok || got != want {
			t.Errorf("Scale(%s) = %d, %v; want %d", code, got, ok, want)
		}
	}
	for _, code := range []string{"", "usd", "US", "USDX", "ABC", "XXX", "XTS", "U$D"} {
		if _, ok := Scale(code); ok || Valid(code) {
			t.Errorf("%q is taken for a currency", code)
		}
	}
	// A code refused at the door is still written, with two decimals.
	if got := Format("ABC", 1999); got != "ABC 19.99" {
		t.Errorf("unknown code: %q", got)
	}
}
