package armemu

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// serveGroup answers PUT and GET of a resource group. A group's PUT is
// synchronous: 201 when created, 200 when updated (tags replaced).
func (s *Server) serveGroup(c *call) {
	rt := c.rt
	id := groupID(rt.Sub, rt.Group)
	cur, exists := s.res.get(id)
	switch c.r.Method {
	case http.MethodGet, http.MethodHead:
		if !exists {
			writeError(c.w, errGroupNotFound(rt.Group))
			return
		}
		writeJSON(c.w, http.StatusOK, cur.render())
	case http.MethodPut:
		var e envelope
		if err := json.Unmarshal(c.body, &e); err != nil {
			writeError(c.w, errBadBody(err))
			return
		}
		if e.Location == "" {
			writeError(c.w, errLocationRequired())
			return
		}
		if exists && !strings.EqualFold(cur.Location, e.Location) {
			writeError(c.w, errorf(http.StatusConflict, "InvalidResourceGroupLocation",
				"Invalid resource group location '%s'. The Resource group already exists in location '%s'.", e.Location, cur.Location))
			return
		}
		status := http.StatusOK
		if !exists {
			status = http.StatusCreated
			cur = &resource{ID: id, Name: rt.Group, Type: typeGroup, Location: strings.ToLower(e.Location), Created: time.Now()}
		}
		cur.Tags = e.Tags
		cur.Props = map[string]any{"provisioningState": "Succeeded"}
		s.res.put(cur)
		writeJSON(c.w, status, cur.render())
	default:
		writeError(c.w, errMethod(c.r.Method))
	}
}

// list answers a list of one resource type in a group: {"value":[...]},
// PageSize at a time, the next page at "nextLink".
func (s *Server) list(c *call) {
	all := s.res.list(c.rt.Sub, c.rt.Group, c.rt.Type)
	skip := 0
	if t := c.r.URL.Query().Get("$skiptoken"); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 || n > len(all) {
			writeError(c.w, errorf(http.StatusBadRequest, "InvalidSkipToken", "The skip token '%s' is not valid.", t))
			return
		}
		skip = n
	}
	end := min(skip+s.cfg.PageSize, len(all))
	value := make([]any, 0, end-skip)
	for _, r := range all[skip:end] {
		value = append(value, s.view(r, c.r))
	}
	page := map[string]any{"value": value}
	if end < len(all) {
		q := url.Values{}
		q.Set("api-version", c.rt.APIVersion)
		q.Set("$skiptoken", strconv.Itoa(end))
		page["nextLink"] = "https://" + c.r.Host + c.r.URL.Path + "?" + q.Encode()
	}
	writeJSON(c.w, http.StatusOK, page)
}
