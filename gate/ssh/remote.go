package ssh

import (
	"bytes"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// hostInfo is what a host told about itself on a connection.
type hostInfo struct {
	gen   int // the connection generation it was learnt on
	Home  string
	UID   uint32
	GID   uint32
	Arch  string // uname -m
	CPUs  int
	MemMB int64
	Base  string // absolute: the host's RemoteDir
	Bin   string // the verified supervisor binary on the host
}

// probeScript prints the home directory, uid, gid, machine, CPU count and
// MemTotal (kB), one per line.
const probeScript = `printf '%s\n' "$HOME"; id -u; id -g; uname -m
nproc 2>/dev/null || getconf _NPROCESSORS_ONLN
sed -n 's/^MemTotal: *\([0-9]*\) kB$/\1/p' /proc/meminfo`

// info returns what the host says about itself, with the supervisor binary
// uploaded and verified; it asks again on each new connection.
func (c *conn) info(ctx context.Context, bin *binary) (*hostInfo, error) {
	_, gen, err := c.get(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	cached := c.cached
	c.mu.Unlock()
	if cached != nil && cached.gen == gen && (bin == nil || cached.Bin != "") {
		return cached, nil
	}
	out, err := c.output(ctx, probeScript, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: probe: %w", c.host.Name, err)
	}
	inf, err := parseProbe(out)
	if err != nil {
		return nil, fmt.Errorf("%s: probe: %w", c.host.Name, err)
	}
	inf.gen = gen
	inf.Base = c.host.RemoteDir
	if !path.IsAbs(inf.Base) {
		inf.Base = path.Join(inf.Home, inf.Base)
	}
	if bin != nil {
		if inf.Bin, err = c.upload(ctx, inf, bin); err != nil {
			return nil, fmt.Errorf("%s: supervisor: %w", c.host.Name, err)
		}
	}
	c.mu.Lock()
	c.cached = inf
	c.mu.Unlock()
	return inf, nil
}

// parseProbe reads probeScript's output.
func parseProbe(out []byte) (*hostInfo, error) {
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) != 6 {
		return nil, fmt.Errorf("unexpected answer %q", out)
	}
	inf := &hostInfo{Home: lines[0], Arch: lines[3]}
	uid, err1 := strconv.ParseUint(lines[1], 10, 32)
	gid, err2 := strconv.ParseUint(lines[2], 10, 32)
	cpus, err3 := strconv.Atoi(lines[4])
	kb, err4 := strconv.ParseInt(lines[5], 10, 64)
	if err := errors.Join(err1, err2, err3, err4); err != nil || !path.IsAbs(inf.Home) {
		return nil, fmt.Errorf("unexpected answer %q", out)
	}
	inf.UID, inf.GID, inf.CPUs, inf.MemMB = uint32(uid), uint32(gid), cpus, kb/1024
	return inf, nil
}

// errWrongArch: the supervisor binary cannot run on the host. Retrying
// does not help.
var errWrongArch = errors.New("supervisor binary built for another machine")

// binary is the local supervisor binary the gate uploads.
type binary struct {
	path    string
	hash    string // sha256, hex
	machine string // uname -m it runs on
}

// loadBinary finds and hashes the supervisor binary: configured, else
// skyport-supervise beside this executable, else in PATH.
func loadBinary(configured string) (*binary, error) {
	p := configured
	if p == "" {
		if exe, err := os.Executable(); err == nil {
			if cand := filepath.Join(filepath.Dir(exe), "skyport-supervise"); isFile(cand) {
				p = cand
			}
		}
	}
	if p == "" {
		found, err := exec.LookPath("skyport-supervise")
		if err != nil {
			return nil, errors.New("no supervisor binary: install skyport-supervise beside skyportd or in PATH, or set the option supervisor")
		}
		p = found
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("supervisor binary: %w", err)
	}
	defer func() { _ = f.Close() }()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, fmt.Errorf("supervisor binary %s: %w", p, err)
	}
	ef, err := elf.NewFile(f)
	if err != nil {
		return nil, fmt.Errorf("supervisor binary %s: not an ELF executable: %w", p, err)
	}
	machine := map[elf.Machine]string{
		elf.EM_X86_64: "x86_64", elf.EM_AARCH64: "aarch64", elf.EM_386: "i686",
		elf.EM_PPC64: "ppc64le", elf.EM_S390: "s390x", elf.EM_RISCV: "riscv64", elf.EM_ARM: "armv7l",
	}[ef.Machine]
	return &binary{path: p, hash: hex.EncodeToString(h.Sum(nil)), machine: machine}, nil
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// sameMachine reports whether a binary built for want runs on a host whose
// uname -m is got.
func sameMachine(want, got string) bool {
	norm := func(s string) string {
		switch s {
		case "arm64":
			return "aarch64"
		case "amd64":
			return "x86_64"
		case "i386", "i586":
			return "i686"
		}
		if strings.HasPrefix(s, "armv") {
			return "armv7l"
		}
		return s
	}
	return want == "" || norm(want) == norm(got)
}

// uploadScript checks the binary at $1 against the hash $2 and, when it is
// missing or different, reads it from stdin into place (verified before
// the rename). It always drains stdin.
const uploadScript = `p=$1; h=$2
if [ "$(sha256sum < "$p" 2>/dev/null | cut -d' ' -f1)" = "$h" ]; then cat >/dev/null; exit 0; fi
mkdir -p "$(dirname "$p")" || { cat >/dev/null; exit 1; }
t=$(mktemp "$p.XXXXXX") || { cat >/dev/null; exit 1; }
cat > "$t" && chmod 755 "$t" &&
  [ "$(sha256sum < "$t" | cut -d' ' -f1)" = "$h" ] && mv -f "$t" "$p" && exit 0
rm -f "$t"; echo "upload of $p failed or did not verify" >&2; exit 1`

// upload puts the supervisor binary on the host, content-addressed under
// the remote directory, and returns its path there.
func (c *conn) upload(ctx context.Context, inf *hostInfo, bin *binary) (string, error) {
	if !sameMachine(bin.machine, inf.Arch) {
		return "", fmt.Errorf("%w: %s is for %s, the host is %s: set the option supervisor to a build for it",
			errWrongArch, bin.path, bin.machine, inf.Arch)
	}
	remote := path.Join(inf.Base, "bin", "skyport-supervise-"+bin.hash[:16])
	// One upload per connection at a time: a binary is sent once even when
	// many jobs start together.
	c.uploadMu.Lock()
	defer c.uploadMu.Unlock()
	// Most of the time it is there: check without sending the file.
	check := `[ "$(sha256sum < ` + quote(remote) + ` 2>/dev/null | cut -d' ' -f1)" = ` + quote(bin.hash) + ` ]`
	if err := c.Run(ctx, check, nil, nil); err == nil {
		return remote, nil
	} else if exitCode(err) < 0 {
		return "", err
	}
	f, err := os.Open(bin.path)
	if err != nil {
		return "", err
	}
	defer func() { _ = f.Close() }()
	if err := c.Run(ctx, scriptArgs(uploadScript, remote, bin.hash), f, nil); err != nil {
		return "", fmt.Errorf("upload %s: %w", bin.path, err)
	}
	return remote, nil
}

// scriptArgs prefixes a script with "set -- args..." so it reads them as
// $1, $2, ...
func scriptArgs(script string, args ...string) string {
	var b bytes.Buffer
	b.WriteString("set --")
	for _, a := range args {
		b.WriteByte(' ')
		b.WriteString(quote(a))
	}
	b.WriteByte('\n')
	b.WriteString(script)
	return b.String()
}
