package domain

import (
	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/pkg/money"
)

// MaxAmount bounds a single amount (in minor units) so that sums of many
// amounts never overflow and a typo of a few extra digits is caught.
const MaxAmount = 100_000_000_00

// checkAmount records a violation unless a is a positive amount.
func checkAmount(v *apperr.Violations, field string, a int64) {
	switch {
	case a <= 0:
		v.Add(field, "must be a positive amount in minor units")
	case a > MaxAmount:
		v.Add(field, "is too large")
	}
}

// checkCurrency records a violation unless c is an upper-case ISO 4217 code of
// a currency (pkg/money, after golang.org/x/text/currency).
func checkCurrency(v *apperr.Violations, field, c string) {
	if !money.Valid(c) {
		v.Add(field, "must be an ISO 4217 currency code such as USD")
	}
}

// Percent of amount in basis points (1000 = 10 %), rounded half up.
func bpsOf(amount, bps int64) int64 {
	return (amount*bps + 5000) / 10000
}
