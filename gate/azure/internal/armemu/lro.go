package armemu

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The statuses of a long-running operation.
const (
	opInProgress = "InProgress"
	opSucceeded  = "Succeeded"
	opFailed     = "Failed"
)

// operation is a long-running operation. Its status document is at the
// Azure-AsyncOperation URL; a delete's Location URL answers 202 while it
// runs and 204 once it succeeded.
type operation struct {
	ID       string
	Provider string // "Microsoft.Compute" or "Microsoft.Network"
	Location string
	Status   string
	Err      *armError // when Failed
	Start    time.Time
	End      time.Time
}

// newOp starts an operation in progress; the caller holds s.mu.
func (s *Server) newOp(provider, location string) *operation {
	op := &operation{ID: newGUID(), Provider: provider, Location: location, Status: opInProgress, Start: time.Now()}
	s.ops[strings.ToLower(op.ID)] = op
	return op
}

// finishOp ends op: succeeded when e is nil, else failed with e. The
// caller holds s.mu.
func finishOp(op *operation, e *armError) {
	if op.Status != opInProgress {
		return
	}
	op.End = time.Now()
	if e != nil {
		op.Status, op.Err = opFailed, e
		return
	}
	op.Status = opSucceeded
}

// providerOf is the resource provider of a type: its namespace.
func providerOf(typ string) string {
	ns, _, _ := strings.Cut(typ, "/")
	return ns
}

func (s *Server) opURL(c *call, op *operation, result bool) string {
	kind := "operations"
	if result {
		kind = "operationResults"
	}
	q := url.Values{}
	q.Set("api-version", c.rt.APIVersion)
	return "https://" + c.r.Host + "/subscriptions/" + s.cfg.Subscription + "/providers/" + op.Provider +
		"/locations/" + op.Location + "/" + kind + "/" + op.ID + "?" + q.Encode()
}

// accept answers a request that started op: status (201 for a create,
// 202 for a delete) with body (nil: none), the Azure-AsyncOperation
// header, a Location header when location is set, and Retry-After while
// op runs.
func (s *Server) accept(c *call, status int, body any, op *operation, location bool) {
	h := c.w.Header()
	h.Set("Azure-AsyncOperation", s.opURL(c, op, false))
	if location {
		h.Set("Location", s.opURL(c, op, true))
	}
	if op.Status == opInProgress {
		h.Set("Retry-After", strconv.Itoa(s.cfg.RetryAfter))
	}
	if body == nil {
		c.w.WriteHeader(status)
		return
	}
	writeJSON(c.w, status, body)
}

// getOperation answers an operation's status or result URL.
func (s *Server) getOperation(c *call) {
	op, ok := s.ops[strings.ToLower(c.rt.OpID)]
	if !ok || !strings.EqualFold(op.Provider, c.rt.OpProvider) {
		writeError(c.w, errorf(http.StatusNotFound, "OperationNotFound", "The operation '%s' could not be found.", c.rt.OpID))
		return
	}
	if op.Status == opInProgress {
		c.w.Header().Set("Retry-After", strconv.Itoa(s.cfg.RetryAfter))
	}
	if c.rt.OpResult {
		switch op.Status {
		case opInProgress:
			c.w.Header().Set("Location", s.opURL(c, op, true))
			c.w.WriteHeader(http.StatusAccepted)
		case opSucceeded:
			c.w.WriteHeader(http.StatusNoContent)
		default:
			writeError(c.w, op.Err)
		}
		return
	}
	doc := map[string]any{"name": op.ID, "status": op.Status, "startTime": op.Start.UTC().Format(time.RFC3339Nano)}
	if !op.End.IsZero() {
		doc["endTime"] = op.End.UTC().Format(time.RFC3339Nano)
	}
	if op.Err != nil {
		doc["error"] = op.Err
	}
	writeJSON(c.w, http.StatusOK, doc)
}

// afterDelay runs f under s.mu in the background once d has passed,
// unless the server is closed first; the caller holds s.mu.
func (s *Server) afterDelay(d time.Duration, f func()) {
	s.background(func() {
		if !s.sleep(d) {
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		f()
	})
}

// sleep waits d; false when the server closed first.
func (s *Server) sleep(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	select {
	case <-time.After(d):
		return true
	case <-s.stop:
		return false
	}
}
