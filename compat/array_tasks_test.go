package compat

import (
	"errors"
	"slices"
	"testing"
)

// TestParseTaskList checks the inside of "57_[...]" against scancel 22.05:
// err is the line scancel printed before "Invalid job id", want the tasks
// its controller then cancelled (nil: none, exit 0).
func TestParseTaskList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []int64
		err  string
	}{
		// REFERENCE §3.
		{"4-5", []int64{4, 5}, ""},
		{"[4-5]", []int64{4, 5}, ""},
		{"2", []int64{2}, ""},
		{"1,3-5", []int64{1, 3, 4, 5}, ""},
		{"[1,3-5]", []int64{1, 3, 4, 5}, ""},
		{"4,6", []int64{4, 6}, ""},
		{"6,4,4-5", []int64{4, 5, 6}, ""},
		{"3-3", []int64{3}, ""},
		{"25", []int64{25}, ""},
		{"9999", []int64{9999}, ""},
		{"0-65535", nil, ""}, // checked below: 65536 tasks
		// Refused by scancel.
		{"8-12:2", nil, "_parse_single_range: Invalid range: `8-12:2'"},
		{"13-14%2", nil, "_parse_single_range: Invalid range: `13-14%2'"},
		{"", nil, "_parse_single_range: Invalid range: `'"},
		{"[]", nil, "_parse_single_range: Invalid range: `'"},
		{"18-17", nil, "_parse_single_range: Invalid range: `18-17'"},
		{"19,,20", nil, "_parse_single_range: Invalid range: `'"},
		{"x", nil, "_parse_single_range: Invalid range: `x'"},
		{"0x3", nil, "_parse_single_range: Invalid range: `0x3'"},
		{"-24", nil, "_parse_single_range: Invalid range: `-24'"},
		{"-", nil, "_parse_single_range: Invalid range: `-'"},
		{"1,", nil, "_parse_single_range: Invalid range: `'"},
		{",1", nil, "_parse_single_range: Invalid range: `'"},
		{"1-2,", nil, "_parse_single_range: Invalid range: `'"},
		{"1-3-5", nil, "_parse_single_range: Invalid range: `1-3-5'"},
		{"1 ", nil, "_parse_single_range: Invalid range: `1 '"},
		{" 1 ", nil, "_parse_single_range: Invalid range: ` 1 '"},
		{"0-65536", nil, "_parse_single_range: Too many hosts in range `0-65536'"},
		{"0-70000", nil, "_parse_single_range: Too many hosts in range `0-70000'"},
		{"0-4294967295", nil, "_parse_single_range: Too many hosts in range `0-4294967295'"},
		// Accepted by scancel; the controller reads them with strtol.
		{" 15", []int64{15}, ""},
		{"+28", []int64{28}, ""},
		{"1-+3", []int64{1, 2, 3}, ""},
		{"1- 3", []int64{1, 2, 3}, ""},
		{" 12- 13", []int64{12, 13}, ""},
		{"0-", []int64{0}, ""},
		{"23-", nil, ""},
		{"9-", nil, ""},
		{"1 -3", nil, ""},
		{"7 -8", nil, ""},
		{"10 - 11", nil, ""},
		{"1 - 3", nil, ""},
		{"14,7 -8", nil, ""},
		{"14,9-", nil, ""},
		{"14,16", []int64{14, 16}, ""},
		{"4294967294", nil, ""},
	}
	for _, tc := range tests {
		got, err := ParseTaskList(tc.in)
		if tc.err != "" {
			var e *TaskListError
			if !errors.As(err, &e) || err.Error() != tc.err {
				t.Errorf("ParseTaskList(%q) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseTaskList(%q) error %v", tc.in, err)
			continue
		}
		if tc.in == "0-65535" {
			if len(got) != 65536 || got[0] != 0 || got[65535] != 65535 {
				t.Errorf("ParseTaskList(0-65535): %d tasks", len(got))
			}
			continue
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("ParseTaskList(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// FuzzParseTaskList checks that a task list either fails with a
// *TaskListError or gives ascending, unique, bounded task ids.
func FuzzParseTaskList(f *testing.F) {
	for _, s := range []string{"2", "4-5", "[1,3-5]", "8-12:2", "23-", "1 -3", "0-65535", "+28", "", "1,,2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTaskList(s)
		if err != nil {
			var e *TaskListError
			if !errors.As(err, &e) || got != nil {
				t.Fatalf("ParseTaskList(%q) = %v, %v", s, got, err)
			}
			return
		}
		for i, v := range got {
			if v < 0 || v >= maxTaskListID || (i > 0 && v <= got[i-1]) {
				t.Fatalf("ParseTaskList(%q): bad tasks at %d: %v", s, i, v)
			}
		}
	})
}
