package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"

	"skyport/compat"
	"skyport/gateway/api"
	wire "skyport/gateway/api/stream"
)

// maxRequest bounds a request body (a script and its environment).
const maxRequest = 64 << 20

// routes is the API's handler.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+api.PathPing, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST "+api.PathSubmit, s.handleSubmit)
	mux.HandleFunc("POST "+api.PathSqueue, s.handleSqueue)
	mux.HandleFunc("POST "+api.PathSacct, s.handleSacct)
	mux.HandleFunc("POST "+api.PathSinfo, s.handleSinfo)
	mux.HandleFunc("POST "+api.PathScancel, s.handleScancel)
	mux.HandleFunc("POST "+api.PathScontrol, s.handleScontrol)
	mux.HandleFunc("POST "+api.PathSacctmgr, s.handleSacctmgr) // accounts.go
	mux.HandleFunc("POST "+api.PathSshare, s.handleSshare)
	mux.HandleFunc("POST "+api.PathWait, s.handleWait)
	mux.Handle("GET "+wire.Path, s.streamHandler(s.peerIdentity)) // events.go
	mux.HandleFunc("GET "+wire.DashboardPath, s.handleDashboard)  // dashboard.go
	mux.HandleFunc("POST "+api.PathUser, s.handleUser)
	mux.HandleFunc("POST "+api.PathStepStart, s.handleStepStart) // steps.go
	mux.HandleFunc("POST "+api.PathStepEnd, s.handleStepEnd)
	mux.HandleFunc("POST "+api.PathAlloc, s.handleAlloc) // alloc.go
	mux.HandleFunc("POST "+api.PathAllocWait, s.handleAllocWait)
	mux.HandleFunc("POST "+api.PathAllocBeat, s.handleAllocBeat)
	mux.HandleFunc("POST "+api.PathAllocRelease, s.handleAllocRelease)
	return mux
}

// decode reads a JSON request body into v, answering 400 on failure.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxRequest))
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, &compat.Error{Msg: "skyport: bad request: " + err.Error() + "\n", Code: 1})
		return false
	}
	return true
}

// caller returns the peer's credentials or answers 403.
func caller(w http.ResponseWriter, r *http.Request) (peer, bool) {
	p, ok := peerOf(r.Context())
	if !ok {
		writeError(w, http.StatusForbidden, &compat.Error{Msg: "skyport: caller credentials unavailable\n", Code: 1})
	}
	return p, ok
}

// writeJSON answers 200 with v.
func writeJSON(w http.ResponseWriter, v any) {
	writeBody(w, http.StatusOK, v)
}

// writeBody answers status with v as JSON, with a Content-Length.
func writeBody(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(api.ErrorResponse{Message: "skyport: internal error: " + err.Error() + "\n", Exit: 1})
	}
	b = append(b, '\n')
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeError answers with Slurm's message for err: a *compat.Error as it
// is, anything else as an internal error that the log explains.
func writeError(w http.ResponseWriter, status int, err error) {
	var ce *compat.Error
	if !errors.As(err, &ce) {
		ce = &compat.Error{Msg: "skyport: internal error: " + err.Error() + "\n", Code: 1}
		status = http.StatusInternalServerError
	}
	writeBody(w, status, api.ErrorResponse{Message: ce.Msg, Exit: ce.Code})
}

func (s *Server) handleSubmit(w http.ResponseWriter, r *http.Request) {
	who, ok := caller(w, r)
	if !ok {
		return
	}
	var req api.SubmitRequest
	if !decode(w, r, &req) {
		return
	}
	resp, err := s.submit(r.Context(), &req, who)
	if err != nil {
		s.logErr(r.Context(), "submit", err)
		writeError(w, http.StatusUnprocessableEntity, err)
		return
	}
	writeJSON(w, resp)
}

// logErr logs internal errors (not the user's mistakes, which are answered).
func (s *Server) logErr(ctx context.Context, op string, err error) {
	var ce *compat.Error
	if !errors.As(err, &ce) {
		s.log.LogAttrs(ctx, slog.LevelError, op+" failed", slog.String("err", err.Error()))
	}
}

// render answers with the text fn produces. The text is built completely
// before anything is sent, so an error is never mixed into half an output.
// sizeHint, when known, is about how many bytes the text will take: the
// buffer is sized once instead of doubling through large outputs.
func render(w http.ResponseWriter, sizeHint int, fn func(w io.Writer) error) {
	var buf bytes.Buffer
	buf.Grow(sizeHint)
	if err := fn(&buf); err != nil {
		writeError(w, http.StatusUnprocessableEntity, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	_, _ = buf.WriteTo(w)
}
