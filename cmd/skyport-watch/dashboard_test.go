package main

import (
	"bytes"
	"strings"
	"testing"

	wire "skyport/gateway/api/stream"
)

// skyport dashboard against a daemon without the TCP listener says how
// to turn it on; an argument is a usage error.
func TestDashboardWithoutListener(t *testing.T) {
	t.Parallel()
	sock := daemon(t)
	var out, errb bytes.Buffer
	code := run(t.Context(), wire.Dialer{Socket: sock}, "dashboard", nil, &out, &errb)
	if code != 1 || out.Len() != 0 || !strings.Contains(errb.String(), "set tcp = \"127.0.0.1:PORT\" in the [stream] table") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
	out.Reset()
	errb.Reset()
	if code := run(t.Context(), wire.Dialer{Socket: sock}, "dashboard", []string{"x"}, &out, &errb); code != 2 || !strings.HasPrefix(errb.String(), "usage: skyport dashboard") {
		t.Errorf("with an argument: exit %d, stderr %q", code, errb.String())
	}
}
