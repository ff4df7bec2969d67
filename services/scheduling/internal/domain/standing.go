package domain

// Standing is what scheduling keeps of a mentor's standing, which reputation
// decides and announces: its name there ("FLAGGED", "SUSPENDED", ...) and
// whether a mentor in it takes new bookings (docs/product.md, standing).
// Reservations already made stay.
type Standing struct {
	Name          string
	TakesBookings bool
}

// Unannounced is the standing of a mentor reputation has said nothing
// about: they take bookings.
var Unannounced = Standing{TakesBookings: true}
