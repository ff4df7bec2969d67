package postgres_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"testing"
	"time"

	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/services/booking/internal/app"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

// The CSV export writes each amount with its currency's decimals, and
// begins with a byte-order mark only when asked (?bom=true).
func TestTheExportWritesAmountsInTheirCurrencysScaleAndABOMOnlyWhenAsked(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	for i, price := range []domain.Money{{Currency: "JPY", Amount: 5000}, {Currency: "KWD", Amount: 1500}, {Currency: "USD", Amount: 1999}} {
		if err := s.Save(ctx, pricedBooking(t, i+1, "mentor-grace", "mentee-ada", "Ada Lovelace", time.Duration(i+1)*24*time.Hour, price), nil); err != nil {
			t.Fatal(err)
		}
	}
	svc := app.New(nil, s, domain.DefaultPolicy(), app.Lookups{}, func() time.Time { return t0 })
	mentor := identity.With(ctx, identity.Principal{Subject: "mentor-grace", Role: identity.RoleMentor})

	var plain bytes.Buffer
	if err := svc.Export(mentor, app.ListQuery{}, false, &plain); err != nil {
		t.Fatal(err)
	}
	if bytes.HasPrefix(plain.Bytes(), []byte("\ufeff")) || !bytes.HasPrefix(plain.Bytes(), []byte("booking_id,")) {
		t.Fatalf("without bom=true the file must begin with the header:\n%q", plain.String()[:40])
	}
	rows, err := csv.NewReader(bytes.NewReader(plain.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	got := map[string][2]string{}
	for _, r := range rows[1:] {
		got[r[col["currency"]]] = [2]string{r[col["price"]], r[col["refunded"]]}
	}
	want := map[string][2]string{"JPY": {"5000", "0"}, "KWD": {"1.500", "0.000"}, "USD": {"19.99", "0.00"}}
	if len(got) != len(want) {
		t.Fatalf("rows %v", rows)
	}
	for c, w := range want {
		if got[c] != w {
			t.Errorf("%s price, refunded = %v, want %v", c, got[c], w)
		}
	}

	var excel bytes.Buffer
	if err := svc.Export(mentor, app.ListQuery{}, true, &excel); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(excel.Bytes(), append([]byte("\ufeff"), plain.Bytes()...)) {
		t.Fatalf("with bom=true: the same file after a byte-order mark, got %q", excel.String()[:40])
	}
}
