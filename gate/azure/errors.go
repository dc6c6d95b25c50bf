package azure

import (
	"errors"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// The reasons the gate gives for a job it could not start, in the style of
// Slurm's squeue %R and scontrol's Reason=.
const (
	ReasonQuota      = "AzureQuotaExceeded"
	ReasonSku        = "AzureSkuNotAvailable"
	ReasonAllocation = "AzureAllocationFailed"
	ReasonZonal      = "AzureZonalAllocationFailed"
	ReasonAuth       = "AzureAuthFailed"
	ReasonBudget     = "AzureBudgetExceeded"
	ReasonMaxVMs     = "AzureMaxVMs"
	ReasonBusy       = "AzureNodeBusy"
	ReasonBoot       = "AzureBootFailed"
	ReasonAPI        = "AzureAPIError"
)

// ReasonError is an error with a short Slurm-style reason. The gate wraps
// it with gate.ErrUnavailable when the job certainly did not start; the
// gateway shows Reason() in squeue %R and scontrol show job (find it with
// errors.As on interface{ Reason() string }).
type ReasonError struct {
	Why string
	Err error
}

// Error is the reason followed by the error.
func (e *ReasonError) Error() string { return e.Why + ": " + e.Err.Error() }

// Unwrap returns the error behind the reason.
func (e *ReasonError) Unwrap() error { return e.Err }

// Reason is the short reason shown for pending jobs.
func (e *ReasonError) Reason() string { return e.Why }

// fallbackCodes are the ARM error codes after which the next size, zone or
// region is tried, with the reason each one shows.
var fallbackCodes = map[string]string{
	"QuotaExceeded":                         ReasonQuota,
	"OperationNotAllowed":                   ReasonQuota, // how ARM often words a core quota
	"SkuNotAvailable":                       ReasonSku,
	"AllocationFailed":                      ReasonAllocation,
	"OverconstrainedAllocationRequest":      ReasonAllocation,
	"ZonalAllocationFailed":                 ReasonZonal,
	"OverconstrainedZonalAllocationRequest": ReasonZonal,
}

// errorCode returns the ARM error code of err ("" when it has none).
func errorCode(err error) string {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return re.ErrorCode
	}
	return ""
}

// fallbackReason says whether err is a capacity error that moves on to
// the next size, zone or region, and its reason.
func fallbackReason(err error) (string, bool) {
	r, ok := fallbackCodes[errorCode(err)]
	return r, ok
}

// isAuthError says whether err is a failure to authenticate or authorize.
func isAuthError(err error) bool {
	var af *azidentity.AuthenticationFailedError
	if errors.As(err, &af) {
		return true
	}
	var ar *azidentity.AuthenticationRequiredError
	if errors.As(err, &ar) {
		return true
	}
	if strings.Contains(err.Error(), "DefaultAzureCredential") {
		return true // none of its sources could give a token
	}
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		switch re.ErrorCode {
		case "AuthenticationFailed", "InvalidAuthenticationToken", "ExpiredAuthenticationToken",
			"AuthorizationFailed", "InvalidAuthenticationTokenTenant", "LinkedAuthorizationFailed":
			return true
		}
		return re.StatusCode == http.StatusUnauthorized
	}
	return false
}

// isNotFound says whether err is ARM's 404 (a resource or group missing).
func isNotFound(err error) bool {
	var re *azcore.ResponseError
	return errors.As(err, &re) && re.StatusCode == http.StatusNotFound
}

// reasonOf maps any provisioning error to its reason.
func reasonOf(err error) string {
	var re *ReasonError
	if errors.As(err, &re) {
		return re.Why
	}
	if r, ok := fallbackReason(err); ok {
		return r
	}
	if isAuthError(err) {
		return ReasonAuth
	}
	return ReasonAPI
}
