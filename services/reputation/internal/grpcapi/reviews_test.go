package grpcapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	reputationv1 "github.com/bookwell/bookwell/gen/go/bookwell/reputation/v1"
	"github.com/bookwell/bookwell/pkg/identity"
)

func reason(err error) string {
	for _, d := range status.Convert(err).Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return info.GetReason()
		}
	}
	return ""
}

func violations(err error) map[string]bool {
	fields := map[string]bool{}
	for _, d := range status.Convert(err).Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				fields[v.GetField()] = true
			}
		}
	}
	return fields
}

func TestReviewRules(t *testing.T) {
	h := start(t)
	h.newBooking("r-done", "mentor-kim", "mentee-ada", t0.Add(2*24*time.Hour)).request().approve(time.Hour).finish(completed, 0)
	h.newBooking("r-upcoming", "mentor-kim", "mentee-ada", t0.Add(60*24*time.Hour)).request().approve(time.Hour)
	h.settle()

	_, err := review(h, "r-done", "", 0, strings.Repeat("x", 2001))
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("bad review: %v, want INVALID_ARGUMENT", err)
	}
	if v := violations(err); !v["review.rating"] || !v["review.mentee_id"] || !v["review.text"] {
		t.Fatalf("field violations = %v, want review.rating, review.mentee_id, review.text", v)
	}
	if _, err := review(h, "r-done", "mentee-ada", 6, ""); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("rating 6: %v, want INVALID_ARGUMENT", err)
	}
	if _, err := review(h, "r-unknown", "mentee-ada", 5, ""); status.Code(err) != codes.NotFound || reason(err) != "BOOKING_NOT_FOUND" {
		t.Fatalf("unknown booking: %v, want NOT_FOUND BOOKING_NOT_FOUND", err)
	}
	if _, err := review(h, "r-upcoming", "mentee-ada", 5, ""); status.Code(err) != codes.Aborted || reason(err) != "BOOKING_NOT_COMPLETED" {
		t.Fatalf("review of a confirmed booking: %v, want ABORTED BOOKING_NOT_COMPLETED", err)
	}
	if _, err := review(h, "r-done", "mentee-bo", 5, ""); status.Code(err) != codes.NotFound || reason(err) != "BOOKING_NOT_FOUND" {
		t.Fatalf("review by another mentee: %v, want NOT_FOUND: someone else's booking does not exist for them", err)
	}
	if r := h.reputation("mentor-kim"); r.GetFigures().GetReviewCount() != 0 {
		t.Fatalf("refused reviews were stored: %v", r.GetRecentReviews())
	}
	scoreBefore := h.reputation("mentor-kim").GetRankingScore()

	got, err := review(h, "r-done", "mentee-ada", 5, "  Sharp feedback on my design.  ")
	if err != nil {
		t.Fatalf("review: %v", err)
	}
	if got.GetMentorId() != "mentor-kim" || got.GetRating() != 5 || got.GetText() != "Sharp feedback on my design." {
		t.Fatalf("review = %v", got)
	}
	retry, err := review(h, "r-done", "mentee-ada", 5, "Sharp feedback on my design.")
	if err != nil || !retry.GetCreateTime().AsTime().Equal(got.GetCreateTime().AsTime()) {
		t.Fatalf("retried review = %v, %v; want the recorded one", retry, err)
	}
	if _, err := review(h, "r-done", "mentee-ada", 2, "changed my mind"); status.Code(err) != codes.AlreadyExists || reason(err) != "ALREADY_REVIEWED" {
		t.Fatalf("second, different review: %v, want ALREADY_EXISTS ALREADY_REVIEWED", err)
	}

	r := h.reputation("mentor-kim")
	if r.GetFigures().GetReviewCount() != 1 || r.GetFigures().GetAverageRating() != 5 || len(r.GetRecentReviews()) != 1 ||
		r.GetRecentReviews()[0].GetText() != "Sharp feedback on my design." {
		t.Fatalf("mentor sees %d reviews, average %v, %v; want the one 5-star review", r.GetFigures().GetReviewCount(), r.GetFigures().GetAverageRating(), r.GetRecentReviews())
	}
	if r.GetRankingScore() <= scoreBefore {
		t.Fatalf("a 5-star review left the ranking score at %.2f (was %.2f)", r.GetRankingScore(), scoreBefore)
	}
	if got := h.history("mentee-ada"); got.GetAverageRatingGiven() != 5 || got.GetReviewCount() != 1 {
		t.Fatalf("mentee-ada history = %v, want one review of 5 given", got)
	}
}

func TestSearchOrdersByRankingScore(t *testing.T) {
	h := start(t)
	day := 24 * time.Hour
	h.newBooking("f-1", "mentor-fast", "mentee-ada", t0.Add(3*day)).request().approve(10*time.Minute).finish(completed, 0)
	h.newBooking("s-1", "mentor-slow", "mentee-ada", t0.Add(3*day)).request().approve(20*time.Hour).finish(completed, 0)
	for i, id := range []string{"x-1", "x-2", "x-3"} {
		cancelledByMentor(h, id, "mentor-flaky", t0.Add(time.Duration(i+1)*day))
	}
	for i, id := range []string{"d-1", "d-2", "d-3", "d-4", "d-5"} {
		cancelledByMentor(h, id, "mentor-gone", t0.Add(time.Duration(i+1)*day))
	}
	h.settle()
	if _, err := review(h, "f-1", "mentee-ada", 5, ""); err != nil {
		t.Fatal(err)
	}

	var ids []string
	var scores []float64
	token := ""
	for {
		page, err := h.api.SearchMentors(h.as(reader), &reputationv1.SearchMentorsRequest{PageSize: 2, PageToken: token})
		if err != nil {
			t.Fatalf("search: %v", err)
		}
		for _, m := range page.GetMentors() {
			ids = append(ids, m.GetMentorId())
			scores = append(scores, m.GetRankingScore())
		}
		if token = page.GetNextPageToken(); token == "" {
			break
		}
	}
	if strings.Join(ids, ",") != "mentor-fast,mentor-slow,mentor-flaky" {
		t.Fatalf("search order = %v (scores %v); want fast, slow, flaky (flagged), and no deactivated mentor", ids, scores)
	}
	t.Logf("ranking scores: %v", scores)
	if _, err := h.api.SearchMentors(h.as(reader), &reputationv1.SearchMentorsRequest{PageToken: "garbage"}); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("bad page token: %v, want INVALID_ARGUMENT", err)
	}
}

// TestRESTRoutes serves the generated grpc-gateway routes in front of the
// API, as the gateway does.
func TestRESTRoutes(t *testing.T) {
	h := start(t)
	h.newBooking("h-1", "mentor-kim", "mentee-ada", t0.Add(2*24*time.Hour)).request().approve(time.Hour).finish(completed, 0)
	h.settle()
	mux := runtime.NewServeMux()
	if err := reputationv1.RegisterReputationServiceHandlerFromEndpoint(t.Context(), mux, h.addr,
		[]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	do := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		tok, err := identity.Mint(identity.DevSecret, identity.Principal{Subject: "mentee-ada", Role: identity.RoleMentee}, time.Hour, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	if code, body := do("POST", "/v1/bookings/h-1/reviews", `{"menteeId":"mentee-ada","rating":0}`); code != http.StatusBadRequest {
		t.Fatalf("POST review with rating 0 = %d %v, want 400", code, body)
	}
	if code, body := do("POST", "/v1/bookings/h-1/reviews", `{"rating":4,"text":"Good"}`); code != http.StatusOK || body["review"] == nil {
		t.Fatalf("POST review = %d %v, want 200 with the review", code, body)
	}
	if code, body := do("GET", "/v1/mentors/mentor-kim/reputation", ""); code != http.StatusOK || body["reputation"].(map[string]any)["standing"] != "STANDING_ACTIVE" {
		t.Fatalf("GET reputation = %d %v", code, body)
	}
	if code, body := do("GET", "/v1/mentees/mentee-ada/history", ""); code != http.StatusOK || body["history"].(map[string]any)["priorSessionCount"] != "1" {
		t.Fatalf("GET history = %d %v", code, body)
	}
	if code, body := do("GET", "/v1/mentors:search?pageSize=5", ""); code != http.StatusOK || len(body["mentors"].([]any)) != 1 {
		t.Fatalf("GET mentors:search = %d %v", code, body)
	}
}
