package protoconv

import (
	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/pkg/actionlink"
)

var actionToProto = map[actionlink.Action]bookingv1.ActionLinkAction{
	actionlink.Approve: bookingv1.ActionLinkAction_ACTION_LINK_ACTION_APPROVE,
	actionlink.Reject:  bookingv1.ActionLinkAction_ACTION_LINK_ACTION_REJECT,
	actionlink.Propose: bookingv1.ActionLinkAction_ACTION_LINK_ACTION_PROPOSE,
	actionlink.Accept:  bookingv1.ActionLinkAction_ACTION_LINK_ACTION_ACCEPT,
	actionlink.Decline: bookingv1.ActionLinkAction_ACTION_LINK_ACTION_DECLINE,
}

// ActionToProto converts a link's action.
func ActionToProto(a actionlink.Action) bookingv1.ActionLinkAction { return actionToProto[a] }
