package domain

import (
	"errors"
	"testing"

	"github.com/bookwell/bookwell/pkg/apperr"
)

// A price is in its currency's minor units, so any whole number of them is
// a price (5000 JPY is 5,000 yen, 1500 KWD is 1.500 dinars); what is
// refused is a code that names no currency.
func TestAnOfferingsCurrencyMustBeAnISO4217Currency(t *testing.T) {
	p := DefaultPolicy()
	for _, c := range []struct {
		code  string
		price int64
	}{{"JPY", 5000}, {"KWD", 1500}, {"USD", 1999}, {"EUR", 1}} {
		o := paid("o")
		o.Currency, o.PriceMinor = c.code, c.price
		if err := o.Validate(p); err != nil {
			t.Errorf("%s %d refused: %v", c.code, c.price, err)
		}
	}
	for _, code := range []string{"ABC", "usd", "XXX", "EURO", "€"} {
		o := paid("o")
		o.Currency = code
		var ve *apperr.ValidationError
		err := o.Validate(p)
		if !errors.As(err, &ve) || len(ve.Violations) != 1 || ve.Violations[0].Field != "offering.currency_code" {
			t.Errorf("currency %q: %v; want one violation of offering.currency_code", code, err)
		}
	}
}
