package gateway

import (
	"testing"
	"time"
)

func TestBootTime(t *testing.T) {
	t.Parallel()
	stat := []byte("cpu  1 2 3\nintr 5\nbtime 1764230400\nprocesses 9\n")
	if got := bootTime(stat); !got.Equal(time.Unix(1764230400, 0)) {
		t.Errorf("bootTime = %v", got)
	}
	if got := bootTime([]byte("cpu 1\n")); !got.IsZero() {
		t.Errorf("bootTime without btime = %v", got)
	}
	if unameArch("amd64") != "x86_64" || unameArch("arm64") != "aarch64" || unameArch("riscv64") != "riscv64" {
		t.Error("unameArch")
	}
}
