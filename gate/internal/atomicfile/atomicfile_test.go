package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, durable := range []bool{false, true} {
		if err := WriteFile(dir, "f", []byte("one"), 0o640, durable); err != nil {
			t.Fatal(err)
		}
		if err := WriteFile(dir, "f", []byte("two"), 0o640, durable); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, "f"))
		if err != nil || string(b) != "two" {
			t.Fatalf("content %q, %v", b, err)
		}
		if fi, _ := os.Stat(filepath.Join(dir, "f")); fi.Mode().Perm() != 0o640 {
			t.Errorf("mode %v, want 0640", fi.Mode().Perm())
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d entries in dir, want only f (no temporary file left)", len(ents))
	}
	if err := WriteFile(filepath.Join(dir, "missing"), "f", nil, 0o600, true); err == nil {
		t.Error("write into a missing directory: no error")
	}
}
