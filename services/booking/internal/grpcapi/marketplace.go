package grpcapi

import (
	"context"
	"slices"

	"google.golang.org/protobuf/types/known/timestamppb"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
	"github.com/bookwell/bookwell/services/booking/internal/protoconv"
)

// GetMarketplacePolicy returns the policy in force.
func (s *Server) GetMarketplacePolicy(ctx context.Context, _ *bookingv1.GetMarketplacePolicyRequest) (*bookingv1.GetMarketplacePolicyResponse, error) {
	m, err := s.app.MarketplacePolicy(ctx)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &bookingv1.GetMarketplacePolicyResponse{Policy: protoconv.MarketplacePolicyToProto(m)}, nil
}

// UpdateMarketplacePolicy changes the policy: the fields of the mask, or
// every field given when the mask is empty.
func (s *Server) UpdateMarketplacePolicy(ctx context.Context, req *bookingv1.UpdateMarketplacePolicyRequest) (*bookingv1.UpdateMarketplacePolicyResponse, error) {
	in := req.GetPolicy()
	paths := req.GetUpdateMask().GetPaths()
	set := map[string]bool{}
	var bad apperr.Violations
	known := domain.MarketplaceFields()
	for _, p := range paths {
		switch {
		case slices.Contains(known, p):
			set[p] = true
		case p == "etag" || p == "version" || p == "update_time" || p == "updated_by":
			// the version's identity, not a value to change
		default:
			bad.Add("update_mask", "unknown field "+p)
		}
	}
	if in == nil {
		bad.Add("policy", "is required")
	}
	if err := bad.Err(); err != nil {
		return nil, s.fail(ctx, err)
	}
	has := func(field string, given bool) bool { return set[field] || (len(paths) == 0 && given) }
	m, err := s.app.UpdateMarketplacePolicy(ctx, in.GetEtag(), func(m *domain.MarketplacePolicy) {
		protoconv.ApplyMarketplacePolicy(m, in, has)
	})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &bookingv1.UpdateMarketplacePolicyResponse{Policy: protoconv.MarketplacePolicyToProto(m)}, nil
}

// ListMarketplacePolicyChanges pages through the policy's audit.
func (s *Server) ListMarketplacePolicyChanges(ctx context.Context, req *bookingv1.ListMarketplacePolicyChangesRequest) (*bookingv1.ListMarketplacePolicyChangesResponse, error) {
	cs, next, err := s.app.MarketplacePolicyChanges(ctx, int(req.GetPageSize()), req.GetPageToken())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	resp := &bookingv1.ListMarketplacePolicyChangesResponse{NextPageToken: next}
	for _, c := range cs {
		pc := &bookingv1.MarketplacePolicyChange{Version: c.Version, ActorId: c.ActorID, ChangeTime: timestamppb.New(c.At)}
		for _, f := range c.Fields {
			pc.Fields = append(pc.Fields, &bookingv1.FieldChange{Field: f.Field, OldValue: f.Old, NewValue: f.New})
		}
		resp.Changes = append(resp.Changes, pc)
	}
	return resp, nil
}
