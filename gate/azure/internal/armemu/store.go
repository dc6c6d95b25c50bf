package armemu

import (
	"sort"
	"strings"
	"time"
)

// The resource types the emulator serves, as ARM spells them.
const (
	typeGroup = "Microsoft.Resources/resourceGroups"
	typeVM    = "Microsoft.Compute/virtualMachines"
	typeDisk  = "Microsoft.Compute/disks"
	typeNIC   = "Microsoft.Network/networkInterfaces"
	typePIP   = "Microsoft.Network/publicIPAddresses"
	typeVNet  = "Microsoft.Network/virtualNetworks"
	typeNSG   = "Microsoft.Network/networkSecurityGroups"
)

// resourceTypes maps the lower-case "namespace/type" of a URL to its
// canonical spelling: ARM matches both case-insensitively.
var resourceTypes = map[string]string{}

func init() {
	for _, t := range []string{typeVM, typeDisk, typeNIC, typePIP, typeVNet, typeNSG} {
		resourceTypes[strings.ToLower(t)] = t
	}
}

// resource is one ARM resource (a resource group too): the envelope ARM
// puts around every resource, and its properties as a JSON object, which
// holds what the client sent plus what the service sets.
type resource struct {
	ID        string // as ARM returns it, with the case of the creating request
	Group     string // the resource group's name ("" for a group itself)
	Name      string
	Type      string
	Location  string
	Tags      map[string]string
	Zones     []string
	SKU       map[string]any
	ManagedBy string
	Props     map[string]any
	Created   time.Time
}

// render is the resource as ARM's JSON body has it.
func (r *resource) render() map[string]any {
	m := map[string]any{
		"id": r.ID, "name": r.Name, "type": r.Type, "location": r.Location,
	}
	if r.Tags != nil {
		m["tags"] = r.Tags
	} else if r.Type != typeGroup {
		m["tags"] = map[string]string{}
	}
	if len(r.Zones) > 0 {
		m["zones"] = r.Zones
	}
	if r.SKU != nil {
		m["sku"] = r.SKU
	}
	if r.ManagedBy != "" {
		m["managedBy"] = r.ManagedBy
	}
	if r.Type != typeGroup {
		m["etag"] = `W/"` + r.Created.UTC().Format("20060102T150405.000000") + `"`
	}
	m["properties"] = r.Props
	return m
}

// store holds the resources, by lower-case ID (ARM IDs are
// case-insensitive). It is not safe for concurrent use: the Server's
// mutex guards it.
type store struct {
	byID map[string]*resource
}

func newStore() *store { return &store{byID: map[string]*resource{}} }

func (s *store) get(id string) (*resource, bool) {
	r, ok := s.byID[strings.ToLower(id)]
	return r, ok
}

func (s *store) put(r *resource) { s.byID[strings.ToLower(r.ID)] = r }

func (s *store) remove(id string) { delete(s.byID, strings.ToLower(id)) }

// list returns the resources of typ in group rg of subscription sub
// (every group when rg is ""), sorted by name.
func (s *store) list(sub, rg, typ string) []*resource {
	prefix := strings.ToLower("/subscriptions/" + sub + "/")
	var out []*resource
	for k, r := range s.byID {
		if r.Type != typ || !strings.HasPrefix(k, prefix) {
			continue
		}
		if rg != "" && !strings.EqualFold(r.Group, rg) {
			continue
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out
}

// count returns how many resources of each type there are.
func (s *store) count() map[string]int {
	out := map[string]int{}
	for _, r := range s.byID {
		out[r.Type]++
	}
	return out
}

// groupID and resourceID are IDs in ARM's format.
func groupID(sub, rg string) string { return "/subscriptions/" + sub + "/resourceGroups/" + rg }

func resourceID(sub, rg, typ, name string) string {
	return groupID(sub, rg) + "/providers/" + typ + "/" + name
}

// parseResourceID splits an ID of a resource (or of a child resource,
// such as a subnet) into its group, type and names; ok is false when id
// is not a resource ID of subscription sub.
func parseResourceID(sub, id string) (rg, typ, name, child, childName string, ok bool) {
	p := strings.Split(strings.Trim(id, "/"), "/")
	if len(p) < 8 || !strings.EqualFold(p[0], "subscriptions") || !strings.EqualFold(p[1], sub) ||
		!strings.EqualFold(p[2], "resourceGroups") || !strings.EqualFold(p[4], "providers") {
		return "", "", "", "", "", false
	}
	typ, known := resourceTypes[strings.ToLower(p[5]+"/"+p[6])]
	if !known {
		return "", "", "", "", "", false
	}
	switch len(p) {
	case 8:
		return p[3], typ, p[7], "", "", true
	case 10:
		return p[3], typ, p[7], p[8], p[9], true
	}
	return "", "", "", "", "", false
}

// Helpers over the properties' JSON objects.

func obj(m map[string]any, key string) map[string]any {
	v, _ := m[key].(map[string]any)
	return v
}

func arr(m map[string]any, key string) []any {
	v, _ := m[key].([]any)
	return v
}

func str(m map[string]any, key string) string {
	v, _ := m[key].(string)
	return v
}

// idOf returns the "id" of the sub-resource reference m[key].
func idOf(m map[string]any, key string) string { return str(obj(m, key), "id") }
