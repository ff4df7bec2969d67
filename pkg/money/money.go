// Package money turns amounts kept in a currency's minor units into text for
// people, with each currency's own number of decimals: JPY has none (an
// amount of 5000 is ¥5,000), USD two (1999 is $19.99), KWD three (1500 is
// 1.500 dinars).
//
// Every amount in bookwell's APIs, events and tables is an integer count of
// the currency's minor unit as this package defines it: the yen for JPY, the
// cent for USD, the fils (a thousandth) for KWD. So any integer is a valid
// amount of a known currency; what can be wrong is the currency code, which
// Valid checks.
//
// The scales come from golang.org/x/text/currency (maintained by the Go
// team; v0.43.0 carries the CLDR 32 currency table), not from a table of
// our own. CLDR's "digits" are the decimals people write, which agree with
// ISO 4217's minor unit for the currencies payment providers settle in
// decimals (USD, EUR, GBP, JPY, KRW, CLP, KWD, BHD, ...) but say 0 where
// ISO 4217 says 2 for a few currencies whose cents are not used (IDR, COP,
// LBP, ALL, RSD, IRR) and 0 for IQD (ISO: 3). For those, bookwell's minor
// unit is CLDR's: a whole rupiah, peso, and so on.
package money

import (
	"strconv"
	"strings"

	"golang.org/x/text/currency"
)

// Scale returns the number of decimals of code's minor unit (0 for JPY, 2
// for USD, 3 for KWD), and false when code is not an upper-case ISO 4217
// code of a currency.
func Scale(code string) (int, bool) {
	u, ok := unit(code)
	if !ok {
		return 0, false
	}
	scale, _ := currency.Standard.Rounding(u)
	return scale, true
}

// Valid reports whether code is the upper-case ISO 4217 code of a currency
// (not XXX "no currency" nor XTS "testing").
func Valid(code string) bool {
	_, ok := unit(code)
	return ok
}

func unit(code string) (currency.Unit, bool) {
	if len(code) != 3 || strings.ToUpper(code) != code || code == "XXX" || code == "XTS" {
		return currency.Unit{}, false
	}
	u, err := currency.ParseISO(code)
	if err != nil || u.String() != code {
		return currency.Unit{}, false
	}
	return u, true
}

// fallbackScale is the scale of a code Valid refuses, so that text is
// still written for an amount stored before codes were checked.
const fallbackScale = 2

func scaleOf(code string) int {
	if s, ok := Scale(code); ok {
		return s
	}
	return fallbackScale
}

// Decimal writes an amount in major units with the currency's decimals and
// no grouping, for files a program or spreadsheet reads: "5000" (JPY 5000),
// "19.99" (USD 1999), "1.500" (KWD 1500), "-0.50" (USD -50).
func Decimal(code string, minor int64) string {
	return decimal(minor, scaleOf(code), false)
}

// Format writes an amount for a person: the ISO code, a space, and the
// amount with the currency's decimals and comma-grouped thousands:
// "JPY 5,000", "USD 19.99", "KWD 1.500", "EUR 1,234.50". The code (not a
// symbol such as $, shared by many currencies) keeps it unambiguous in any
// language.
func Format(code string, minor int64) string {
	return code + " " + decimal(minor, scaleOf(code), true)
}

func decimal(minor int64, scale int, group bool) string {
	neg := minor < 0
	// The digits of |minor|, as text, so that math.MinInt64 needs no care.
	digits := strconv.FormatInt(minor, 10)
	if neg {
		digits = digits[1:]
	}
	if len(digits) <= scale {
		digits = strings.Repeat("0", scale-len(digits)+1) + digits
	}
	whole, frac := digits[:len(digits)-scale], digits[len(digits)-scale:]
	if group {
		whole = grouped(whole)
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString(whole)
	if scale > 0 {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// grouped puts a comma between each group of three digits: "1234567" ->
// "1,234,567".
func grouped(digits string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	first := len(digits) % 3
	if first > 0 {
		b.WriteString(digits[:first])
	}
	for i := first; i < len(digits); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}
