// Package grpcapi is the notifications context's gRPC transport: it
// converts requests with protoconv, calls the use cases (which check who is
// asking) and converts their results. Errors go back as they are: the gRPC
// server turns them into statuses (pkg/grpcserver).
package grpcapi

import (
	"context"
	"log/slog"

	notificationsv1 "github.com/bookwell/bookwell/gen/go/bookwell/notifications/v1"
	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/services/notifications/internal/app"
	"github.com/bookwell/bookwell/services/notifications/internal/protoconv"
)

// Server implements notificationsv1.NotificationServiceServer.
type Server struct {
	notificationsv1.UnimplementedNotificationServiceServer
	app *app.Service
	log *slog.Logger
	// DeadLetters are the dead letters of the service's consumers, for
	// ListDeadLetters and RedriveDeadLetter.
	DeadLetters consumer.DeadLetters
}

// New returns the gRPC server for a.
func New(a *app.Service, log *slog.Logger) *Server { return &Server{app: a, log: log} }

// ListNotifications lists a user's inbox.
func (s *Server) ListNotifications(ctx context.Context, req *notificationsv1.ListNotificationsRequest) (*notificationsv1.ListNotificationsResponse, error) {
	p, err := s.app.ListNotifications(ctx, req.GetUserId(), int(req.GetPageSize()), req.GetPageToken(), req.GetUnreadOnly())
	if err != nil {
		return nil, err
	}
	resp := &notificationsv1.ListNotificationsResponse{NextPageToken: p.NextPageToken, UnreadCount: int32(p.UnreadCount)}
	for _, n := range p.Notifications {
		resp.Notifications = append(resp.Notifications, protoconv.NotificationToProto(n))
	}
	return resp, nil
}

// MarkNotificationsRead marks one or all notifications read.
func (s *Server) MarkNotificationsRead(ctx context.Context, req *notificationsv1.MarkNotificationsReadRequest) (*notificationsv1.MarkNotificationsReadResponse, error) {
	marked, unread, err := s.app.MarkRead(ctx, req.GetUserId(), req.GetNotificationId(), req.GetAll())
	if err != nil {
		return nil, err
	}
	return &notificationsv1.MarkNotificationsReadResponse{MarkedCount: int32(marked), UnreadCount: int32(unread)}, nil
}

// UpsertRecipient records how a user is reached.
func (s *Server) UpsertRecipient(ctx context.Context, req *notificationsv1.UpsertRecipientRequest) (*notificationsv1.UpsertRecipientResponse, error) {
	got, err := s.app.UpsertRecipient(ctx, protoconv.RecipientFromProto(req.GetRecipient()))
	if err != nil {
		return nil, err
	}
	return &notificationsv1.UpsertRecipientResponse{Recipient: protoconv.RecipientToProto(got)}, nil
}

// GetBookingThread returns a booking's thread.
func (s *Server) GetBookingThread(ctx context.Context, req *notificationsv1.GetBookingThreadRequest) (*notificationsv1.GetBookingThreadResponse, error) {
	ms, err := s.app.Thread(ctx, req.GetBookingId(), req.GetUserId())
	if err != nil {
		return nil, err
	}
	resp := &notificationsv1.GetBookingThreadResponse{}
	for _, m := range ms {
		resp.Messages = append(resp.Messages, protoconv.ThreadMessageToProto(m))
	}
	return resp, nil
}

// ReplyToThread records a mentee's reply.
func (s *Server) ReplyToThread(ctx context.Context, req *notificationsv1.ReplyToThreadRequest) (*notificationsv1.ReplyToThreadResponse, error) {
	m, err := s.app.Reply(ctx, req.GetBookingId(), req.GetUserId(), req.GetText(), req.GetRequestId())
	if err != nil {
		return nil, err
	}
	return &notificationsv1.ReplyToThreadResponse{Message: protoconv.ThreadMessageToProto(m)}, nil
}

// ListDevMailboxMessages lists the development mailbox.
func (s *Server) ListDevMailboxMessages(ctx context.Context, req *notificationsv1.ListDevMailboxMessagesRequest) (*notificationsv1.ListDevMailboxMessagesResponse, error) {
	ms, err := s.app.DevMailbox(ctx, req.GetTo(), int(req.GetPageSize()))
	if err != nil {
		return nil, err
	}
	resp := &notificationsv1.ListDevMailboxMessagesResponse{}
	for _, m := range ms {
		resp.Messages = append(resp.Messages, protoconv.DevMessageToProto(m))
	}
	return resp, nil
}

// ResendEmail queues a notification's email again.
func (s *Server) ResendEmail(ctx context.Context, req *notificationsv1.ResendEmailRequest) (*notificationsv1.ResendEmailResponse, error) {
	id, d, err := s.app.ResendEmail(ctx, req.GetNotificationId(), req.GetRequestId())
	if err != nil {
		return nil, err
	}
	return &notificationsv1.ResendEmailResponse{EmailId: id, Email: protoconv.DeliveryToProto(d)}, nil
}
