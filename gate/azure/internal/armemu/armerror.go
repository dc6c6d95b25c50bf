package armemu

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// armError is an error as ARM answers it: an HTTP status and the body
// {"error":{"code":...,"message":...}}. It is also the error of a failed
// long-running operation, in the operation's status document.
type armError struct {
	Status     int    `json:"-"`
	Code       string `json:"code"`
	Message    string `json:"message"`
	RetryAfter int    `json:"-"` // seconds; 0: no Retry-After header
}

func (e *armError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

func errorf(status int, code, format string, args ...any) *armError {
	return &armError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// The errors ARM gives for the requests the emulator refuses, worded as
// ARM words them.
func errMissingAPIVersion() *armError {
	return errorf(http.StatusBadRequest, "MissingApiVersionParameter",
		"The api-version query parameter (?api-version=) is required for all requests.")
}

func errNoAuthHeader() *armError {
	return errorf(http.StatusUnauthorized, "AuthenticationFailed",
		"Authentication failed. The 'Authorization' header is missing.")
}

func errBadToken() *armError {
	return errorf(http.StatusUnauthorized, "InvalidAuthenticationToken",
		"The access token is invalid.")
}

func errExpiredToken() *armError {
	return errorf(http.StatusUnauthorized, "ExpiredAuthenticationToken",
		"The access token expiry UTC time is earlier than current UTC time.")
}

func errWrongSubscription(sub string) *armError {
	return errorf(http.StatusNotFound, "SubscriptionNotFound", "The subscription '%s' could not be found.", sub)
}

func errGroupNotFound(rg string) *armError {
	return errorf(http.StatusNotFound, "ResourceGroupNotFound", "Resource group '%s' could not be found.", rg)
}

func errNotFound(typ, name, rg string) *armError {
	return errorf(http.StatusNotFound, "ResourceNotFound",
		"The Resource '%s/%s' under resource group '%s' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
		typ, name, rg)
}

func errBadBody(err error) *armError {
	return errorf(http.StatusBadRequest, "InvalidRequestContent",
		"The request content was invalid and could not be deserialized: '%v'.", err)
}

func errLocationRequired() *armError {
	return errorf(http.StatusBadRequest, "LocationRequired",
		"The location property is required for this definition.")
}

func errInvalidParameter(target, format string, args ...any) *armError {
	e := errorf(http.StatusBadRequest, "InvalidParameter", format, args...)
	e.Message += fmt.Sprintf(" Target: '%s'.", target)
	return e
}

func errMethod(method string) *armError {
	return errorf(http.StatusMethodNotAllowed, "MethodNotAllowed",
		"The requested resource does not support http method '%s'.", method)
}

func errNoRoute(path string) *armError {
	return errorf(http.StatusNotFound, "InvalidResourceType",
		"The resource type of '%s' could not be found in the emulator's providers.", path)
}

// writeJSON writes v as the JSON body of a status answer.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b) // the client went away: nothing to do
}

// writeError writes e as ARM does: its status, the x-ms-error-code
// header, Retry-After when set, and the error body. (The WWW-Authenticate
// header of a 401 is the caller's: it names the authority.)
func writeError(w http.ResponseWriter, e *armError) {
	w.Header().Set("x-ms-error-code", e.Code)
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	writeJSON(w, e.Status, map[string]any{"error": e})
}
