// Package rpcstatus writes the errors the gateway itself produces (401, 413,
// 429, ...) in the same shape as the errors the services return through
// grpc-gateway: a google.rpc.Status JSON object with an ErrorInfo detail
// whose reason a front end can switch on (built by apperr/grpcstatus).
package rpcstatus

import (
	"net/http"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/bookwell/bookwell/pkg/apperr/grpcstatus"
)

// Write answers with httpStatus and st as JSON.
func Write(w http.ResponseWriter, httpStatus int, st *status.Status) {
	b, err := protojson.Marshal(st.Proto())
	if err != nil {
		b = []byte(`{"code":13,"message":"internal error"}`)
		httpStatus = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Del("Content-Length")
	w.WriteHeader(httpStatus)
	_, _ = w.Write(b)
}

// Error answers with httpStatus and a status of code, reason and message.
func Error(w http.ResponseWriter, httpStatus int, code codes.Code, reason, message string) {
	Write(w, httpStatus, grpcstatus.New(code, reason, message))
}
