package gate

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"
)

// nopGate is the smallest Gate: enough to exercise the registry.
type nopGate struct{ name string }

func (nopGate) Nodes(context.Context) ([]Node, error)                { return nil, nil }
func (nopGate) Start(context.Context, Spec) (Handle, error)          { return nil, ErrUnsupported }
func (nopGate) Recover(context.Context, Handle) error                { return ErrNotFound }
func (nopGate) Wait(context.Context, Handle) (Exit, error)           { return Exit{}, ErrNotFound }
func (nopGate) Signal(context.Context, Handle, syscall.Signal) error { return ErrNotFound }
func (nopGate) Kill(context.Context, Handle, KillRequest) error      { return ErrNotFound }
func (nopGate) Reap(context.Context, Handle) (Exit, error)           { return Exit{}, ErrNotFound }
func (nopGate) Remove(context.Context, Handle) error                 { return nil }
func (nopGate) Close() error                                         { return nil }

func TestRegistry(t *testing.T) {
	Register("test-nop", func(cfg Config) (Gate, error) {
		if cfg.Name == "bad" {
			return nil, errors.New("bad options")
		}
		return nopGate{name: cfg.Name}, nil
	})
	g, err := Open("test-nop", Config{Name: "a"})
	if err != nil || g.(nopGate).name != "a" {
		t.Fatalf("Open = %v, %v", g, err)
	}
	found := false
	for _, k := range Kinds() {
		found = found || k == "test-nop"
	}
	if !found {
		t.Errorf("Kinds() = %v, missing test-nop", Kinds())
	}
	_, err = Open("test-nop", Config{Name: "bad"})
	if err == nil || !strings.Contains(err.Error(), "gate bad (test-nop): bad options") {
		t.Errorf("factory error = %v", err)
	}
	_, err = Open("nosuch", Config{Name: "x"})
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `unknown gate kind "nosuch" (forgotten import?)`) {
		t.Errorf("unknown kind error = %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("registering a kind twice did not panic")
		}
	}()
	Register("test-nop", nil)
}
