package armemu

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"
)

// route is what an ARM URL names.
type route struct {
	Sub   string
	Group string // the resource group ("" for subscription-level URLs)
	Type  string // canonical resource type; typeGroup for a group itself
	Name  string // "" for a list of Type in Group
	// Child and ChildName name a child of the resource: "instanceView",
	// or "subnets" and a subnet's name.
	Child, ChildName string
	// An operation's URL: .../providers/<OpProvider>/locations/<loc>/
	// operations/<OpID> (its status) or operationResults/<OpID> (its
	// Location header).
	OpProvider, OpID string
	OpResult         bool
	APIVersion       string
}

// parseRoute reads an ARM path. ok is false for a URL the emulator does
// not serve.
func parseRoute(path string) (route, bool) {
	p := strings.Split(strings.Trim(path, "/"), "/")
	eq := strings.EqualFold
	if len(p) < 2 || !eq(p[0], "subscriptions") {
		return route{}, false
	}
	rt := route{Sub: p[1]}
	p = p[2:]
	switch {
	case len(p) == 6 && eq(p[0], "providers") && eq(p[2], "locations") && (eq(p[4], "operations") || eq(p[4], "operationResults")):
		rt.OpProvider, rt.OpID, rt.OpResult = p[1], p[5], eq(p[4], "operationResults")
		return rt, true
	case len(p) < 2 || !eq(p[0], "resourceGroups"):
		return route{}, false
	}
	rt.Group = p[1]
	p = p[2:]
	if len(p) == 0 {
		rt.Type = typeGroup
		return rt, true
	}
	if len(p) < 3 || !eq(p[0], "providers") {
		return route{}, false
	}
	typ, ok := resourceTypes[strings.ToLower(p[1]+"/"+p[2])]
	if !ok {
		return route{}, false
	}
	rt.Type = typ
	switch p = p[3:]; len(p) {
	case 0:
	case 1:
		rt.Name = p[0]
	case 2, 3:
		rt.Name, rt.Child = p[0], p[1]
		if len(p) == 3 {
			rt.ChildName = p[2]
		}
	default:
		return route{}, false
	}
	return rt, true
}

// call is one ARM request being served.
type call struct {
	w    http.ResponseWriter
	r    *http.Request
	rt   route
	body []byte
	// asyncFault is the injected failure of the long-running operation
	// this request starts (Fault.Async).
	asyncFault *armError
}

// serveARM authenticates, checks, counts and routes an ARM request. The
// handlers run under s.mu.
func (s *Server) serveARM(w http.ResponseWriter, r *http.Request) {
	if e := s.authorize(r); e != nil {
		s.mu.Lock()
		s.stats.unauthorized++
		s.mu.Unlock()
		w.Header().Set("WWW-Authenticate", `Bearer authorization_uri="https://`+r.Host+`/`+s.cfg.TenantID+
			`", error="invalid_token", error_description="`+e.Message+`"`)
		writeError(w, e)
		return
	}
	rt, ok := parseRoute(r.URL.Path)
	if rt.APIVersion = r.URL.Query().Get("api-version"); rt.APIVersion == "" {
		writeError(w, errMissingAPIVersion())
		return
	}
	if ok && !strings.EqualFold(rt.Sub, s.cfg.Subscription) {
		writeError(w, errWrongSubscription(rt.Sub))
		return
	}
	if !ok {
		writeError(w, errNoRoute(r.URL.Path))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		writeError(w, errBadBody(err))
		return
	}
	c := &call{w: w, r: r, rt: rt, body: body}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		writeError(w, errorf(http.StatusServiceUnavailable, "ServiceUnavailable", "The emulator is shutting down."))
		return
	}
	s.stats.requests++
	if rt.OpID == "" && r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.stats.writes[rt.Type]++
		s.stats.writesTotal++
	}
	if e, async := s.takeFault(r.Method, rt.Type); e != nil {
		if !async {
			writeError(w, e)
			return
		}
		c.asyncFault = e
	}
	s.dispatch(c)
}

// dispatch sends c to its handler; the caller holds s.mu.
func (s *Server) dispatch(c *call) {
	rt, m := c.rt, c.r.Method
	if rt.OpID != "" {
		if m != http.MethodGet {
			writeError(c.w, errMethod(m))
			return
		}
		s.getOperation(c)
		return
	}
	if rt.Type == typeGroup {
		s.serveGroup(c)
		return
	}
	if _, ok := s.res.get(groupID(rt.Sub, rt.Group)); !ok {
		writeError(c.w, errGroupNotFound(rt.Group))
		return
	}
	if rt.Name == "" {
		if m != http.MethodGet {
			writeError(c.w, errMethod(m))
			return
		}
		s.list(c)
		return
	}
	id := resourceID(rt.Sub, rt.Group, rt.Type, rt.Name)
	cur, exists := s.res.get(id)
	switch {
	case rt.Child != "":
		s.serveChild(c, cur, exists)
	case m == http.MethodGet:
		if !exists {
			writeError(c.w, errNotFound(rt.Type, rt.Name, rt.Group))
			return
		}
		writeJSON(c.w, http.StatusOK, s.view(cur, c.r))
	case m == http.MethodPut:
		s.put(c, id, cur)
	case m == http.MethodDelete:
		if !exists {
			c.w.WriteHeader(http.StatusNoContent) // ARM: nothing to delete
			return
		}
		s.remove(c, cur)
	default:
		writeError(c.w, errMethod(m))
	}
}

// envelope is the body of a PUT: ARM's common resource fields.
type envelope struct {
	Location   string            `json:"location"`
	Tags       map[string]string `json:"tags"`
	Zones      []string          `json:"zones"`
	SKU        map[string]any    `json:"sku"`
	Properties map[string]any    `json:"properties"`
}

// decodeEnvelope reads the body of a PUT of a resource; location is
// required.
func decodeEnvelope(body []byte) (envelope, *armError) {
	var e envelope
	if err := json.Unmarshal(body, &e); err != nil {
		return e, errBadBody(err)
	}
	if e.Location == "" {
		return e, errLocationRequired()
	}
	if e.Properties == nil {
		e.Properties = map[string]any{}
	}
	return e, nil
}

// newResource makes the resource a PUT creates (or replaces, keeping its
// creation time).
func newResource(rt route, id string, e envelope, cur *resource) *resource {
	r := &resource{
		ID: id, Group: rt.Group, Name: rt.Name, Type: rt.Type, Location: strings.ToLower(e.Location),
		Tags: e.Tags, Zones: e.Zones, SKU: e.SKU, Props: e.Properties, Created: time.Now(),
	}
	if cur != nil {
		r.ID, r.Created = cur.ID, cur.Created
	}
	return r
}

// put creates or updates a resource of any type but a group.
func (s *Server) put(c *call, id string, cur *resource) {
	e, aerr := decodeEnvelope(c.body)
	if aerr != nil {
		writeError(c.w, aerr)
		return
	}
	if cur != nil && !strings.EqualFold(cur.Location, e.Location) {
		writeError(c.w, errorf(http.StatusBadRequest, "InvalidResourceLocation",
			"The resource '%s' already exists in location '%s' in resource group '%s'. A resource with the same name cannot be created in location '%s'.",
			c.rt.Name, cur.Location, c.rt.Group, e.Location))
		return
	}
	r := newResource(c.rt, id, e, cur)
	switch c.rt.Type {
	case typeVM:
		s.putVM(c, r, cur)
	case typeNIC:
		s.putNIC(c, r, cur)
	case typePIP:
		s.putPIP(c, r, cur)
	case typeVNet:
		s.putVNet(c, r, cur)
	case typeNSG:
		s.putNSG(c, r, cur)
	default:
		writeError(c.w, errMethod(c.r.Method))
	}
}

// remove deletes an existing resource of any type but a group.
func (s *Server) remove(c *call, r *resource) {
	switch r.Type {
	case typeVM:
		s.deleteVM(c, r)
	case typeNIC:
		s.deleteNIC(c, r)
	case typePIP:
		s.deletePIP(c, r)
	case typeDisk:
		s.deleteDisk(c, r)
	default:
		writeError(c.w, errMethod(c.r.Method))
	}
}

// serveChild answers a child URL of a resource.
func (s *Server) serveChild(c *call, cur *resource, exists bool) {
	rt := c.rt
	if !exists {
		writeError(c.w, errNotFound(rt.Type, rt.Name, rt.Group))
		return
	}
	switch {
	case rt.Type == typeVM && strings.EqualFold(rt.Child, "instanceView") && rt.ChildName == "" && c.r.Method == http.MethodGet:
		writeJSON(c.w, http.StatusOK, s.instanceView(cur))
	case rt.Type == typeVNet && strings.EqualFold(rt.Child, "subnets") && rt.ChildName != "" && c.r.Method == http.MethodGet:
		sn := subnetOf(cur, rt.ChildName)
		if sn == nil {
			writeError(c.w, errNotFound(typeVNet+"/subnets", rt.Name+"/"+rt.ChildName, rt.Group))
			return
		}
		writeJSON(c.w, http.StatusOK, sn)
	default:
		writeError(c.w, errNoRoute(c.r.URL.Path))
	}
}

// view is a resource as a GET returns it; a VM's with $expand=instanceView
// carries its instance view.
func (s *Server) view(r *resource, req *http.Request) map[string]any {
	m := r.render()
	if r.Type == typeVM && strings.EqualFold(req.URL.Query().Get("$expand"), "instanceView") {
		props := map[string]any{}
		for k, v := range r.Props {
			props[k] = v
		}
		props["instanceView"] = s.instanceView(r)
		m["properties"] = props
	}
	return m
}
