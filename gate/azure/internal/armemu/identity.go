package armemu

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// token is an access token the token endpoint issued.
type token struct {
	Audience string
	Expires  time.Time
}

// audiences are the resources a token may be asked for: ARM's audience in
// Azure's public cloud, and ARM's own URL.
var audiences = []string{"https://management.core.windows.net/", "https://management.azure.com/"}

// serveIdentity answers what MSAL (inside azidentity's client secret
// credential, with instance discovery disabled) asks an authority host
// https://HOST/ for tenant T:
//
//	GET  /T/v2.0/.well-known/openid-configuration   tenant discovery
//	POST /T/oauth2/v2.0/token                        client credentials grant
//
// Errors are Entra ID's: {"error":..., "error_description":"AADSTS...", "error_codes":[...]}.
func (s *Server) serveIdentity(w http.ResponseWriter, r *http.Request) {
	p := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case len(p) == 4 && p[1] == "v2.0" && p[2] == ".well-known" && p[3] == "openid-configuration" && r.Method == http.MethodGet:
		s.openIDConfiguration(w, r, p[0])
	case len(p) == 4 && p[1] == "oauth2" && p[2] == "v2.0" && p[3] == "token" && r.Method == http.MethodPost:
		s.issueToken(w, r, p[0])
	default:
		writeJSON(w, http.StatusNotFound, aadError("invalid_request", 90010, "The request is not supported by the emulated identity provider."))
	}
}

// aadError is the body of an Entra ID error.
func aadError(code string, aadsts int, desc string) map[string]any {
	return map[string]any{
		"error":             code,
		"error_description": "AADSTS" + strconv.Itoa(aadsts) + ": " + desc,
		"error_codes":       []int{aadsts},
		"timestamp":         time.Now().UTC().Format("2006-01-02 15:04:05Z"),
		"trace_id":          newGUID(),
		"correlation_id":    newGUID(),
	}
}

func (s *Server) knownTenant(t string) bool { return strings.EqualFold(t, s.cfg.TenantID) }

func (s *Server) openIDConfiguration(w http.ResponseWriter, r *http.Request, tenant string) {
	if !s.knownTenant(tenant) {
		writeJSON(w, http.StatusBadRequest, aadError("invalid_tenant", 90002, "Tenant '"+tenant+"' not found."))
		return
	}
	base := "https://" + r.Host + "/" + tenant
	writeJSON(w, http.StatusOK, map[string]any{
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"jwks_uri":                              "https://" + r.Host + "/" + tenant + "/discovery/v2.0/keys",
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"issuer":                                base + "/v2.0",
		"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
		"device_authorization_endpoint":         base + "/oauth2/v2.0/devicecode",
		"end_session_endpoint":                  base + "/oauth2/v2.0/logout",
		"request_uri_parameter_supported":       false,
		"tenant_region_scope":                   "EU",
		"cloud_instance_name":                   "emulated",
	})
}

// issueToken is the client credentials grant: the client's ID and secret
// must be the configured ones, the scope "<audience>/.default" of ARM.
func (s *Server) issueToken(w http.ResponseWriter, r *http.Request, tenant string) {
	if !s.knownTenant(tenant) {
		writeJSON(w, http.StatusBadRequest, aadError("invalid_tenant", 90002, "Tenant '"+tenant+"' not found."))
		return
	}
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, aadError("invalid_request", 900144, "The request body must contain the parameter 'grant_type'."))
		return
	}
	f := r.PostForm
	s.mu.Lock()
	s.stats.tokenRequests++
	s.mu.Unlock()
	switch {
	case f.Get("grant_type") != "client_credentials":
		writeJSON(w, http.StatusBadRequest, aadError("unsupported_grant_type", 70003, "The app requested an unsupported grant type '"+f.Get("grant_type")+"'."))
		return
	case !strings.EqualFold(f.Get("client_id"), s.cfg.ClientID):
		writeJSON(w, http.StatusBadRequest, aadError("unauthorized_client", 700016,
			"Application with identifier '"+f.Get("client_id")+"' was not found in the directory '"+tenant+"'."))
		return
	case subtle.ConstantTimeCompare([]byte(f.Get("client_secret")), []byte(s.cfg.ClientSecret)) != 1:
		writeJSON(w, http.StatusUnauthorized, aadError("invalid_client", 7000215,
			"Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '"+s.cfg.ClientID+"'."))
		return
	}
	aud, ok := audienceOf(f.Get("scope"), "https://"+r.Host+"/")
	if !ok {
		writeJSON(w, http.StatusBadRequest, aadError("invalid_scope", 1002012,
			"The provided value for scope "+f.Get("scope")+" is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."))
		return
	}
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	tok := base64.RawURLEncoding.EncodeToString(b[:])
	life := s.cfg.TokenLifetime
	s.mu.Lock()
	s.tokens[tok] = token{Audience: aud, Expires: time.Now().Add(life)}
	s.stats.tokensIssued++
	s.mu.Unlock()
	secs := int(life / time.Second)
	writeJSON(w, http.StatusOK, map[string]any{
		"token_type": "Bearer", "expires_in": secs, "ext_expires_in": secs, "access_token": tok,
	})
}

// audienceOf returns the audience of a client credentials scope
// ("<audience>/.default"): one of ARM's, or self (the emulator's URL).
func audienceOf(scope, self string) (string, bool) {
	for _, sc := range strings.Fields(scope) {
		aud, ok := strings.CutSuffix(sc, "/.default")
		if !ok {
			continue
		}
		for _, a := range append(audiences, self) {
			if strings.EqualFold(strings.TrimSuffix(aud, "/"), strings.TrimSuffix(a, "/")) {
				return a, true
			}
		}
	}
	return "", false
}

// authorize checks the bearer token of an ARM request.
func (s *Server) authorize(r *http.Request) *armError {
	h := r.Header.Get("Authorization")
	if h == "" {
		return errNoAuthHeader()
	}
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		return errBadToken()
	}
	s.mu.Lock()
	t, known := s.tokens[tok]
	s.mu.Unlock()
	switch {
	case !known:
		return errBadToken()
	case time.Now().After(t.Expires):
		return errExpiredToken()
	}
	return nil
}
