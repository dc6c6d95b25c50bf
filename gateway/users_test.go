package gateway

import (
	"os/user"
	"slices"
	"strconv"
	"testing"
)

// TestLookupUser: the daemon resolves names for the static client binary.
func TestLookupUser(t *testing.T) {
	t.Parallel()
	me, err := user.Current()
	if err != nil {
		t.Skip("no current user:", err)
	}
	d := startDaemon(t, twoCPUs(t), "")
	resp, err := d.client.LookupUser(t.Context(), me.Username)
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := strconv.ParseUint(me.Uid, 10, 32); !resp.Found || resp.UID != uint32(want) {
		t.Errorf("LookupUser(%q) = %+v, want uid %s", me.Username, resp, me.Uid)
	}
	resp, err = d.client.LookupUser(t.Context(), "no-such-user-skyport")
	if err != nil {
		t.Fatal(err)
	}
	if resp.Found {
		t.Errorf("LookupUser(unknown) = %+v, want not found", resp)
	}
}

// TestSupplementaryGroups: the groups handed to a gate are the user's own,
// as the system's name service lists them, and are cached.
func TestSupplementaryGroups(t *testing.T) {
	t.Parallel()
	me, err := user.Current()
	if err != nil {
		t.Skip("no current user:", err)
	}
	ids, err := me.GroupIds()
	if err != nil {
		t.Skip("no group list:", err)
	}
	uid, _ := strconv.ParseUint(me.Uid, 10, 32)
	var c userCache
	got := c.supplementaryGroups(uint32(uid))
	for _, s := range ids {
		g, _ := strconv.ParseUint(s, 10, 32)
		if !slices.Contains(got, uint32(g)) {
			t.Errorf("supplementaryGroups(%d) = %v, missing %d", uid, got, g)
		}
	}
	if again := c.supplementaryGroups(uint32(uid)); !slices.Equal(again, got) {
		t.Errorf("second call = %v, want %v", again, got)
	}
	if gs := c.supplementaryGroups(4000000000); gs != nil {
		t.Errorf("unknown uid: %v, want nil", gs)
	}
}
