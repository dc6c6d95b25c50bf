package mirror

import (
	"path"
	"strings"
	"testing"
)

// ignorerOf builds an ignorer over ignore files given by directory.
func ignorerOf(files map[string]string) *ignorer {
	return newIgnorerFunc(func(rel string) (string, error) { return files[rel], nil })
}

// TestIgnoreRules checks gitignore semantics, one case per rule of
// gitignore(5) and the corner cases around them.
func TestIgnoreRules(t *testing.T) {
	t.Parallel()
	type check struct {
		path  string
		isDir bool
		want  bool
	}
	for _, c := range []struct {
		name   string
		files  map[string]string
		checks []check
	}{
		{"basename at any depth", map[string]string{"": "*.o\nfoo"}, []check{
			{"a.o", false, true}, {"x/y/b.o", false, true}, {"a.oo", false, false},
			{"foo", true, true}, {"a/foo", false, true}, {"a/foo/bar", false, true}, {"foobar", false, false},
		}},
		{"comments blanks and escapes", map[string]string{"": "# comment\n\n\\#hash\n\\!bang\n  \nsp\\ \ntrail   "}, []check{
			{"# comment", false, false}, {"#hash", false, true}, {"!bang", false, true},
			{"sp ", false, true}, {"sp", false, false}, {"trail", false, true}, {"trail   ", false, false},
		}},
		{"negation and order", map[string]string{"": "*.log\n!keep.log\nkeep2.log\n!keep2.log\nx.log\n"}, []check{
			{"a.log", false, true}, {"keep.log", false, false}, {"d/keep.log", false, false},
			{"keep2.log", false, false}, {"x.log", false, true},
		}},
		{"directory only", map[string]string{"": "build/\n"}, []check{
			{"build", true, true}, {"build", false, false}, {"a/build", true, true},
			{"build/x", false, true}, {"a/build/y/z", false, true},
		}},
		{"anchoring", map[string]string{"": "/top\nmid/dle\n"}, []check{
			{"top", false, true}, {"a/top", false, false},
			{"mid/dle", false, true}, {"x/mid/dle", false, false}, {"mid/dle/in", false, true},
		}},
		{"globstar", map[string]string{"": "**/logs\n**/cache/*.tmp\nout/**\nsrc/**/gen\na/**/b/**/c\n"}, []check{
			{"logs", true, true}, {"a/b/logs", false, true},
			{"cache/x.tmp", false, true}, {"p/q/cache/x.tmp", false, true}, {"cache/sub/x.tmp", false, false},
			{"out", true, false}, {"out/a", false, true}, {"out/a/b", true, true},
			{"src/gen", true, true}, {"src/x/y/gen", false, true}, {"srcx/gen", false, false},
			{"a/b/c", false, true}, {"a/x/b/y/z/c", false, true}, {"a/c", false, false},
		}},
		{"trailing globstar keeps the directory re-includable", map[string]string{"": "out/**\n!out/keep\n"}, []check{
			{"out/keep", false, false}, {"out/drop", false, true},
		}},
		{"an excluded directory cannot be re-included", map[string]string{"": "out/\n!out/keep\n"}, []check{
			{"out/keep", false, true},
		}},
		{"other double stars are single stars", map[string]string{"": "a**b\nx/**y\n"}, []check{
			{"ab", false, true}, {"aXXb", false, true}, {"a/b", false, false},
			{"x/y", false, true}, {"x/zy", false, true}, {"x/z/y", false, false},
		}},
		{"wildcards do not cross slashes", map[string]string{"": "a/*/c\nd?e\n"}, []check{
			{"a/b/c", false, true}, {"a/b/x/c", false, false}, {"d/e", false, false}, {"dxe", false, true},
		}},
		{"classes", map[string]string{"": "[abc].1\n[!x-z].2\n[^0-9].3\n[[:digit:]].4\n[]].5\n[a-].6\n\\[x].7\n"}, []check{
			{"a.1", false, true}, {"d.1", false, false}, {"a.2", false, true}, {"y.2", false, false},
			{"5.3", false, false}, {"k.3", false, true}, {"7.4", false, true}, {"x.4", false, false},
			{"].5", false, true}, {"-.6", false, true}, {"[x].7", false, true}, {"x.7", false, false},
		}},
		{"unicode question mark", map[string]string{"": "caf?\n"}, []check{{"café", false, true}}},
		{"nested files come after their parents", map[string]string{
			"":    "*.dat\n!important.dat\n",
			"sub": "!*.dat\nimportant.dat\n/only-here\n",
		}, []check{
			{"x.dat", false, true}, {"important.dat", false, false},
			{"sub/x.dat", false, false}, {"sub/important.dat", false, true}, {"sub/deep/important.dat", false, true},
			{"sub/only-here", false, true}, {"only-here", false, false}, {"sub/deep/only-here", false, false},
		}},
		{"a nested file's anchors are its own directory", map[string]string{"a/b": "c/d\n"}, []check{
			{"a/b/c/d", false, true}, {"c/d", false, false}, {"a/c/d", false, false},
		}},
		{"CRLF files", map[string]string{"": "*.bak\r\n!a.bak\r\n"}, []check{
			{"x.bak", false, true}, {"a.bak", false, false},
		}},
		{"lone bang and slash are nothing", map[string]string{"": "!\n/\n"}, []check{{"x", false, false}}},
	} {
		ig := ignorerOf(c.files)
		for _, k := range c.checks {
			got, err := ig.Ignored(k.path, k.isDir)
			if err != nil {
				t.Fatal(err)
			}
			if got != k.want {
				t.Errorf("%s: Ignored(%q, dir=%v) = %v, want %v", c.name, k.path, k.isDir, got, k.want)
			}
		}
	}
}

// FuzzIgnore checks properties of the matcher on any pattern and path:
// no panic; for patterns made of letters, '*' and '?', one segment matches
// as path.Match does; a negated rule alone ignores nothing; a directory-only
// rule never matches a file; a literal name always matches itself.
func FuzzIgnore(f *testing.F) {
	for _, s := range [][2]string{
		{"*.o", "a.o"}, {"**/x/**", "a/x/b"}, {"a/**/b", "a/b"}, {"[!a-c]?", "dz"}, {"\\*", "*"},
		{"a*b*c*d*e*f", "aXbXcXdXeXf"}, {"[[:alpha:]]", "é"}, {"/x/", "x"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, p string) {
		if strings.ContainsAny(pattern, "\n\r") || p == "" || strings.Contains(p, "//") ||
			strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") {
			return
		}
		for _, isDir := range []bool{false, true} {
			got, err := ignorerOf(map[string]string{"": pattern}).Ignored(p, isDir)
			if err != nil {
				t.Fatal(err)
			}
			if neg, _ := ignorerOf(map[string]string{"": "!" + pattern}).Ignored(p, isDir); neg {
				t.Errorf("a lone negated rule %q ignored %q", "!"+pattern, p)
			}
			if !isDir {
				if d, _ := ignorerOf(map[string]string{"": pattern + "/"}).Ignored(p, false); d && !strings.Contains(p, "/") {
					t.Errorf("directory-only %q matched the file %q", pattern+"/", p)
				}
			}
			if simple(pattern) && !strings.Contains(p, "/") {
				want, _ := path.Match(pattern, p)
				if got != want {
					t.Errorf("%q on %q: got %v, path.Match says %v", pattern, p, got, want)
				}
			}
		}
		if literal(p) && !strings.Contains(p, "/") {
			if got, _ := ignorerOf(map[string]string{"": p}).Ignored(p, false); !got {
				t.Errorf("the literal pattern %q does not match itself", p)
			}
		}
	})
}

// simple reports a non-empty pattern of letters, digits, '*', '?' and '.'.
func simple(p string) bool {
	if p == "" || p[0] == '#' || p[0] == '!' {
		return false
	}
	for _, c := range p {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '*' && c != '?' && c != '.' {
			return false
		}
	}
	return true
}

// literal reports a name with no special meaning as a pattern.
func literal(p string) bool {
	return !strings.ContainsAny(p, "*?[\\!# \r\n") && p != ""
}
