package compat

import (
	"errors"
	"reflect"
	"testing"
)

// The pyxis options are parsed like every sbatch option (long forms,
// #SBATCH lines) and checked; --contain is now ambiguous, as on a cluster
// with the plugin.
func TestSbatchContainerOptions(t *testing.T) {
	t.Parallel()
	o, _, _, err := ParseSbatchArgs([]string{"--container-image=ubuntu:24.04", "--container-mounts", "/data:/data:ro,/scratch",
		"--container-workdir=/w", "job.sh"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Extra["container-image"] != "ubuntu:24.04" || o.Extra["container-workdir"] != "/w" || !o.Given["container-image"] {
		t.Errorf("options %+v", o)
	}
	if got := ContainerMounts(o.Extra["container-mounts"]); !reflect.DeepEqual(got, []string{"/data:/data:ro", "/scratch"}) {
		t.Errorf("mounts %q", got)
	}
	if ContainerMounts("") != nil {
		t.Error("no mounts should be nil")
	}
	for _, args := range [][]string{
		{"--container-mounts=data:/data"},
		{"--container-mounts=/data:data"},
		{"--container-mounts=/data:/data:rx"},
		{"--container-mounts=/a:/b:ro:x"},
		{"--container-mounts=/a,"},
		{"--container-workdir=w"},
		{"--container-image= "},
	} {
		_, _, _, err := ParseSbatchArgs(append(args, "job.sh"))
		var e *Error
		if !errors.As(err, &e) || e.Code != 255 || e.Msg == "" {
			t.Errorf("%q: err %v, want Slurm's invalid specification", args, err)
		}
	}
	if _, _, _, err := ParseSbatchArgs([]string{"--contain=x", "job.sh"}); err == nil {
		t.Error("--contain is ambiguous with the container options")
	}
}

func FuzzContainerMounts(f *testing.F) {
	for _, s := range []string{"/a", "/a:/b", "/a:/b:ro", "a:b", "/a:/b:rw,/c", ",", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if checkContainerMounts(s) != nil {
			return
		}
		for _, m := range ContainerMounts(s) {
			if m == "" || m[0] != '/' {
				t.Errorf("accepted %q with item %q", s, m)
			}
		}
	})
}
