// Package grpcapi is the notifications context's gRPC transport: it converts
// between protobuf and domain types and maps errors through apperr.
package grpcapi

import (
	"context"
	"log/slog"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	notificationsv1 "github.com/bookwell/bookwell/gen/go/bookwell/notifications/v1"
	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/notifications/internal/app"
	"github.com/bookwell/bookwell/services/notifications/internal/domain"
)

// Server implements notificationsv1.NotificationServiceServer.
type Server struct {
	notificationsv1.UnimplementedNotificationServiceServer
	app *app.App
	log *slog.Logger
}

// New returns the gRPC server for a.
func New(a *app.App, log *slog.Logger) *Server { return &Server{app: a, log: log} }

// ListNotifications lists a user's inbox.
func (s *Server) ListNotifications(ctx context.Context, req *notificationsv1.ListNotificationsRequest) (*notificationsv1.ListNotificationsResponse, error) {
	p, err := s.app.ListNotifications(ctx, req.GetUserId(), int(req.GetPageSize()), req.GetPageToken(), req.GetUnreadOnly())
	if err != nil {
		return nil, apperr.ToStatus(ctx, s.log, err)
	}
	resp := &notificationsv1.ListNotificationsResponse{NextPageToken: p.NextPageToken, UnreadCount: int32(p.UnreadCount)}
	for _, n := range p.Notifications {
		resp.Notifications = append(resp.Notifications, notificationToProto(n))
	}
	return resp, nil
}

// MarkNotificationsRead marks one or all notifications read.
func (s *Server) MarkNotificationsRead(ctx context.Context, req *notificationsv1.MarkNotificationsReadRequest) (*notificationsv1.MarkNotificationsReadResponse, error) {
	marked, unread, err := s.app.MarkRead(ctx, req.GetUserId(), req.GetNotificationId(), req.GetAll())
	if err != nil {
		return nil, apperr.ToStatus(ctx, s.log, err)
	}
	return &notificationsv1.MarkNotificationsReadResponse{MarkedCount: int32(marked), UnreadCount: int32(unread)}, nil
}

// UpsertRecipient records how a user is reached.
func (s *Server) UpsertRecipient(ctx context.Context, req *notificationsv1.UpsertRecipientRequest) (*notificationsv1.UpsertRecipientResponse, error) {
	r := req.GetRecipient()
	got, err := s.app.UpsertRecipient(ctx, domain.Recipient{UserID: r.GetUserId(), Email: r.GetEmail(), Name: r.GetDisplayName(), TimeZone: r.GetTimeZone()})
	if err != nil {
		return nil, apperr.ToStatus(ctx, s.log, err)
	}
	return &notificationsv1.UpsertRecipientResponse{Recipient: &notificationsv1.Recipient{
		UserId: got.UserID, Email: got.Email, DisplayName: got.Name, TimeZone: got.TimeZone,
	}}, nil
}

// GetBookingThread returns a booking's thread.
func (s *Server) GetBookingThread(ctx context.Context, req *notificationsv1.GetBookingThreadRequest) (*notificationsv1.GetBookingThreadResponse, error) {
	ms, err := s.app.Thread(ctx, req.GetBookingId(), req.GetUserId())
	if err != nil {
		return nil, apperr.ToStatus(ctx, s.log, err)
	}
	resp := &notificationsv1.GetBookingThreadResponse{}
	for _, m := range ms {
		resp.Messages = append(resp.Messages, threadMessageToProto(m))
	}
	return resp, nil
}

// ReplyToThread records a mentee's reply.
func (s *Server) ReplyToThread(ctx context.Context, req *notificationsv1.ReplyToThreadRequest) (*notificationsv1.ReplyToThreadResponse, error) {
	m, err := s.app.Reply(ctx, req.GetBookingId(), req.GetUserId(), req.GetText(), req.GetRequestId())
	if err != nil {
		return nil, apperr.ToStatus(ctx, s.log, err)
	}
	return &notificationsv1.ReplyToThreadResponse{Message: threadMessageToProto(m)}, nil
}

// ListDevMailboxMessages lists the development mailbox.
func (s *Server) ListDevMailboxMessages(ctx context.Context, req *notificationsv1.ListDevMailboxMessagesRequest) (*notificationsv1.ListDevMailboxMessagesResponse, error) {
	ms, err := s.app.DevMailbox(ctx, req.GetTo(), int(req.GetPageSize()))
	if err != nil {
		return nil, apperr.ToStatus(ctx, s.log, err)
	}
	resp := &notificationsv1.ListDevMailboxMessagesResponse{}
	for _, m := range ms {
		resp.Messages = append(resp.Messages, &notificationsv1.DevMailboxMessage{
			Id: m.ID, To: m.To, Subject: m.Subject, TextBody: m.Text, HtmlBody: m.HTML,
			AttachmentNames: m.AttachmentNames, ReceiveTime: timestamppb.New(m.ReceivedAt), Raw: m.Raw,
		})
	}
	return resp, nil
}

func notificationToProto(n domain.Notification) *notificationsv1.Notification {
	p := &notificationsv1.Notification{
		Id: n.ID, UserId: n.UserID, Kind: n.Kind, BookingId: n.BookingID, Title: n.Title, Body: n.Body,
		Link: n.Link, CreateTime: timestamppb.New(n.CreatedAt), ReadTime: optTime(n.ReadAt),
	}
	if e := n.Email; e != nil {
		p.Email = &notificationsv1.EmailDelivery{
			To: e.To, Status: emailStatusToProto(e.Status), Attempts: int32(e.Attempts),
			LastError: e.LastError, SentTime: optTime(e.SentAt),
		}
	}
	return p
}

func emailStatusToProto(s domain.EmailStatus) notificationsv1.EmailStatus {
	switch s {
	case domain.EmailQueued:
		return notificationsv1.EmailStatus_EMAIL_STATUS_QUEUED
	case domain.EmailSent:
		return notificationsv1.EmailStatus_EMAIL_STATUS_SENT
	case domain.EmailFailed:
		return notificationsv1.EmailStatus_EMAIL_STATUS_FAILED
	default:
		return notificationsv1.EmailStatus_EMAIL_STATUS_UNSPECIFIED
	}
}

func threadMessageToProto(m domain.ThreadMessage) *notificationsv1.ThreadMessage {
	role := notificationsv1.ThreadRole_THREAD_ROLE_UNSPECIFIED
	switch m.AuthorRole {
	case domain.RoleMentor:
		role = notificationsv1.ThreadRole_THREAD_ROLE_MENTOR
	case domain.RoleMentee:
		role = notificationsv1.ThreadRole_THREAD_ROLE_MENTEE
	}
	return &notificationsv1.ThreadMessage{
		Id: m.ID, BookingId: m.BookingID, AuthorRole: role, AuthorId: m.AuthorID, Text: m.Text,
		CreateTime: timestamppb.New(m.CreatedAt),
	}
}

func optTime(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}
