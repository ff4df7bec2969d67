package identity

import (
	"context"
	"errors"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

func TestTokensAreCheckedAndTheCallerReachesTheHandler(t *testing.T) {
	now := time.Now()
	good, err := Mint("s3cret", Principal{Subject: "mentor-1", Role: RoleMentor}, time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	expired, _ := Mint("s3cret", Principal{Subject: "mentor-1", Role: RoleMentor}, time.Hour, now.Add(-2*time.Hour))
	forged, _ := Mint("other", Principal{Subject: "admin-1", Role: RoleAdmin}, time.Hour, now)
	if _, err := Mint("s3cret", Principal{Subject: "x", Role: "root"}, time.Hour, now); err == nil {
		t.Fatal("minted a token with an unknown role")
	}

	icpt := UnaryServerInterceptor(DevVerifier("s3cret"))
	call := func(method, token string) (Principal, error) {
		ctx := context.Background()
		if token != "" {
			ctx = metadata.NewIncomingContext(ctx, metadata.Pairs("authorization", "Bearer "+token))
		}
		var got Principal
		_, err := icpt(ctx, nil, &grpc.UnaryServerInfo{FullMethod: method}, func(ctx context.Context, _ any) (any, error) {
			got, _ = From(ctx)
			return nil, nil
		})
		return got, err
	}
	if p, err := call("/bookwell.booking.v1.BookingService/GetBooking", good); err != nil || p.Subject != "mentor-1" || p.Role != RoleMentor {
		t.Fatalf("good token: %v, %v", p, err)
	}
	for name, tok := range map[string]string{"none": "", "expired": expired, "forged": forged, "garbage": "abc.def.ghi"} {
		if _, err := call("/bookwell.booking.v1.BookingService/GetBooking", tok); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("%s token: %v, want unauthenticated", name, err)
		}
	}
	if _, err := call("/grpc.health.v1.Health/Check", ""); err != nil {
		t.Errorf("health checks need no token: %v", err)
	}
}
