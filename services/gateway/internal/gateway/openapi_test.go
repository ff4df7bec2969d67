package gateway

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/go-openapi/loads"
	"github.com/go-openapi/strfmt"
	"github.com/go-openapi/validate"

	"github.com/bookwell/bookwell/gen"
)

// promisedRoutes is the REST surface the front ends are promised, one method
// and path per line: each must be in the OpenAPI document.
const promisedRoutes = `
POST /v1/bookings
GET /v1/bookings/{id}
GET /v1/bookings
GET /v1/bookings:export
POST /v1/bookings/{id}:approve
POST /v1/bookings/{id}:reject
POST /v1/bookings/{id}:propose
POST /v1/bookings/{id}:accept
POST /v1/bookings/{id}:decline
POST /v1/bookings/{id}:cancel
POST /v1/bookings/{id}:markPaid
POST /v1/bookings/{id}:markRefunded
POST /v1/bookings/{id}:complete
POST /v1/bookings/{id}:markNoShow
POST /v1/bookings/{id}:refund
POST /v1/bookings/{id}:decideContinuation
POST /v1/bookings/{id}:message
POST /v1/sessions/{id}:completeAll
GET /v1/mentors/{id}/bookingSettings
PATCH /v1/mentors/{id}/bookingSettings
GET /v1/marketplacePolicy
PATCH /v1/marketplacePolicy
GET /v1/marketplacePolicy/changes
GET /v1/mentors/{id}/availability
PUT /v1/mentors/{id}/availability
GET /v1/mentors/{id}/offerings
POST /v1/mentors/{id}/offerings
GET /v1/mentors/{id}/slots
GET /v1/mentors/{id}/calendar.ics
POST /v1/bundles
GET /v1/mentees/{id}/bundles
GET /v1/mentors/{id}/balance
GET /v1/users/{id}/notifications
POST /v1/users/{id}/notifications:markRead
GET /v1/mentors/{id}/reputation
GET /v1/mentees/{id}/history
POST /v1/bookings/{id}/reviews
GET /v1/mentors:search
`

func TestTheOpenAPIDocumentIsValidSwagger2(t *testing.T) {
	doc, err := loads.Analyzed(json.RawMessage(gen.OpenAPI), "2.0")
	if err != nil {
		t.Fatalf("load gen/openapiv2/bookwell.swagger.json: %v", err)
	}
	if err := validate.Spec(doc, strfmt.Default); err != nil {
		t.Fatalf("gen/openapiv2/bookwell.swagger.json is not valid Swagger 2.0: %v", err)
	}
	// The validator does find faults: a route whose path parameter is not
	// declared.
	broken := strings.Replace(string(gen.OpenAPI), `"/v1/bundles"`, `"/v1/bundles/{bundleId}"`, 1)
	bad, err := loads.Analyzed(json.RawMessage(broken), "2.0")
	if err != nil {
		t.Fatal(err)
	}
	if validate.Spec(bad, strfmt.Default) == nil {
		t.Fatal("an undeclared path parameter passed validation")
	}
}

func TestTheOpenAPIDocumentHasEveryRouteOfTheDesign(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(gen.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	// Parameter names differ ({id}, {bookingId}, {settings.mentorId}): compare
	// the shapes.
	param := regexp.MustCompile(`\{[^}]*\}`)
	have := map[string]bool{}
	for p, ops := range doc.Paths {
		for m := range ops {
			have[strings.ToUpper(m)+" "+param.ReplaceAllString(p, "{}")] = true
		}
	}
	for _, r := range strings.Split(strings.TrimSpace(promisedRoutes), "\n") {
		if !have[param.ReplaceAllString(r, "{}")] {
			t.Errorf("%s is a promised route but not in the OpenAPI document", r)
		}
	}
}
