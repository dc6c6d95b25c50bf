package compat

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"
)

// runScontrol runs scontrol the way the shim and the daemon together do:
// parse, send the request over JSON, render the show commands from the
// daemon's data, print Show otherwise.
func runScontrol(t *testing.T, args, env []string, d ScontrolData, g golden) (string, string, int) {
	t.Helper()
	r, err := ParseScontrolArgs(args, env)
	if err != nil {
		return errorOutput(t, err)
	}
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back ScontrolRequest
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r, back) {
		t.Fatalf("request changed over JSON:\n%+v\n%+v", r, back)
	}
	var buf bytes.Buffer
	switch back.Command {
	case ScontrolCmdShow, ScontrolCmdPing:
		err = ScontrolRender(&buf, back, d, g.now)
	default:
		buf.WriteString(back.Show)
		if back.ShowErr != "" || back.ShowCode != 0 {
			err = &Error{Msg: back.ShowErr, Code: back.ShowCode}
		}
	}
	_, msg, code := errorOutput(t, err)
	return buf.String(), msg, code
}

func TestScontrolGolden(t *testing.T) {
	t.Parallel()
	for _, g := range loadGoldens(t, "scontrol") {
		t.Run(filepath.Base(g.path), func(t *testing.T) {
			t.Parallel()
			fix, ok := scontrolFixtures[g.fixture]
			if !ok {
				t.Fatalf("unknown fixture %q", g.fixture)
			}
			stdout, stderr, code := runScontrol(t, g.args, g.env, fix(), g)
			checkGolden(t, g, stdout, stderr, code)
		})
	}
}
