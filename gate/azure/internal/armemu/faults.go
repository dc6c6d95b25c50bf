package armemu

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Fault makes the next Count ARM requests that match Method and Type fail
// with Status and the ARM error Code (a 429 with a Retry-After, a 500, a
// 409 QuotaExceeded, SkuNotAvailable, AllocationFailed...).
type Fault struct {
	// Method is the HTTP method to match; "" matches any.
	Method string `json:"method"`
	// Type is the resource type to match, e.g.
	// "Microsoft.Compute/virtualMachines" (any case); "" matches any.
	Type  string `json:"type"`
	Count int    `json:"count"` // default 1
	// Status is the HTTP status of the answer; default 409. With Async
	// it is the failed operation's.
	Status  int    `json:"status"`
	Code    string `json:"code"`
	Message string `json:"message"`
	// RetryAfter, in seconds, sets the answer's Retry-After header.
	RetryAfter int `json:"retry_after"`
	// Async, for a VM's PUT, accepts the create and fails its
	// long-running operation instead (how allocation failures come): the
	// VM is left in the Failed provisioning state.
	Async bool `json:"async"`
}

func (f *Fault) check() error {
	if f.Count == 0 {
		f.Count = 1
	}
	if f.Status == 0 {
		f.Status = http.StatusConflict
	}
	switch {
	case f.Count < 0:
		return errors.New("count must be positive")
	case f.Status < 400 || f.Status > 599:
		return fmt.Errorf("status %d is not an error", f.Status)
	case f.Code == "":
		return errors.New("code is required")
	case f.Async && (f.Type == "" || !strings.EqualFold(f.Type, typeVM) || !strings.EqualFold(f.Method, http.MethodPut)):
		return errors.New("async faults are for PUT " + typeVM)
	}
	if f.Message == "" {
		f.Message = "Injected fault: " + f.Code + "."
	}
	return nil
}

// faultRule is a Fault with the tries left.
type faultRule struct {
	Fault
	left int
}

// addFault queues f after the faults already queued.
func (s *Server) addFault(f Fault) error {
	if err := f.check(); err != nil {
		return fmt.Errorf("armemu: fault: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultRule{Fault: f, left: f.Count})
	return nil
}

// clearFaults drops every queued fault.
func (s *Server) clearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// takeFault returns the error of the first fault matching a request (and
// uses up one of its tries), with whether it is an async one; nil when
// none matches. The caller holds s.mu.
func (s *Server) takeFault(method, typ string) (*armError, bool) {
	for i, f := range s.faults {
		if f.Method != "" && !strings.EqualFold(f.Method, method) || f.Type != "" && !strings.EqualFold(f.Type, typ) {
			continue
		}
		f.left--
		if f.left <= 0 {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		s.stats.faultsServed++
		return &armError{Status: f.Status, Code: f.Code, Message: f.Message, RetryAfter: f.RetryAfter}, f.Async
	}
	return nil, false
}
