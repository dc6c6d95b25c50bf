package queue

import (
	"reflect"
	"testing"
	"time"
)

// sampleSteps sets every Step field, two steps (one still running).
func sampleSteps() []Step {
	return []Step{
		{ID: 0, Name: "env", State: Completed, Start: t0, End: t0.Add(time.Second), NTasks: 1, CPUs: 2,
			MaxRSSKB: 1808, UserCPU: 10e6, SystemCPU: 11e6},
		{ID: 1, Name: "sh", State: Cancelled, ExitCode: -1, ExitSignal: 9, CancelledBy: 1<<32 - 1, ByUser: true,
			Start: t0.Add(time.Nanosecond)},
	}
}

// TestStepsSurviveTheRecordFormat encodes steps inside a job and reads
// them back, field for field.
func TestStepsSurviveTheRecordFormat(t *testing.T) {
	t.Parallel()
	j := &Job{ID: 7, Steps: sampleSteps()}
	got, err := decodeJob(encodeJob(j))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Steps, j.Steps) {
		t.Errorf("steps = %+v, want %+v", got.Steps, j.Steps)
	}
	// Every Step field is covered: a field left out of encodeStep fails.
	typ := reflect.TypeFor[Step]()
	for i := range typ.NumField() {
		s := Step{}
		v := reflect.ValueOf(&s).Elem().Field(i)
		switch {
		case v.Type() == reflect.TypeFor[time.Time]():
			v.Set(reflect.ValueOf(t0))
		case v.Kind() == reflect.String:
			v.SetString("x")
		case v.Kind() == reflect.Bool:
			v.SetBool(true)
		case v.CanUint():
			v.SetUint(3)
		case v.CanInt():
			v.SetInt(-3)
		}
		back, ok := decodeStep(encodeStep(nil, &s))
		if !ok || !reflect.DeepEqual(back, s) {
			t.Errorf("step field %s is lost by the record format", typ.Field(i).Name)
		}
	}
}

// TestCloneCopiesSteps checks that a clone's steps are its own.
func TestCloneCopiesSteps(t *testing.T) {
	t.Parallel()
	j := &Job{Steps: sampleSteps()}
	c := j.Clone()
	c.Steps[0].Name = "changed"
	if j.Steps[0].Name != "env" {
		t.Error("Clone shares Steps with the original")
	}
}

// FuzzDecodeStep never panics on arbitrary input, and what decodes
// encodes back to a record that decodes the same.
func FuzzDecodeStep(f *testing.F) {
	for _, s := range sampleSteps() {
		f.Add(encodeStep(nil, &s))
	}
	f.Add([]byte{0x0a, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, ok := decodeStep(b)
		if !ok {
			return
		}
		again, ok := decodeStep(encodeStep(nil, &s))
		if !ok || !reflect.DeepEqual(again, s) {
			t.Fatalf("round trip changed %+v into %+v", s, again)
		}
	})
}
