package ssh

// The run-directory protocol on the host, as POSIX shell scripts. A run
// directory <base>/<gateway>/jobs/<jobid>.<restart>/ holds the files the
// local gate's supervisor reads and writes (see skyport/gate/local):
// spec.json and slurm_script (written here), supervisor.json, kill.json
// (written here), exit.json and supervisor.log. Every script takes its
// arguments as $1, $2, ... (see scriptArgs).

// Exit statuses the scripts use beyond 0 and 1.
const (
	codeMissing = 4 // the run directory does not exist
	codeLost    = 5 // the supervisor died without recording an exit
	codeRunning = 6 // the job runs (from remove)
	codeNoClaim = 7 // the launched supervisor did not claim the run
)

// aliveFn defines alive PID TICKS: true when PID is the process that
// started at TICKS (field 22 of /proc/PID/stat).
const aliveFn = `alive() { _t=$2; _s=$(cat /proc/$1/stat 2>/dev/null) || return 1
_s=${_s##*) }; set -- $_s; [ "${20}" = "$_t" ]; }
`

// prepareScript ($1 run dir, $2 jobs dir, $3.. output files) prints
// "claimed" and supervisor.json when a supervisor claimed the run before;
// otherwise it creates the run directory, unless it exists, from stdin
// (the spec as one line of JSON, then the script) and prints "prepared"
// with the sizes of the output files (-1: none).
const prepareScript = `d=$1; j=$2; shift 2
if [ -e "$d/supervisor.json" ]; then cat >/dev/null; echo claimed; cat "$d/supervisor.json"; exit 0; fi
if [ -e "$d/exit.json" ]; then cat >/dev/null; echo "run has an exit but no supervisor.json" >&2; exit 1; fi
if [ -d "$d" ]; then cat >/dev/null; else
  mkdir -p "$j" && t=$(mktemp -d "$j/.new-XXXXXX") && chmod 711 "$t" || { cat >/dev/null; exit 1; }
  IFS= read -r spec && printf '%s\n' "$spec" > "$t/spec.json" &&
    cat > "$t/slurm_script" && chmod 700 "$t/slurm_script" || { rm -rf "$t"; exit 1; }
  mv -T "$t" "$d" 2>/dev/null || rm -rf "$t"
fi
printf prepared
for f in "$@"; do z=$(stat -c %s -- "$f" 2>/dev/null) || z=-1; printf ' %s' "$z"; done
echo`

// launchScript ($1 run dir, $2 supervisor binary) starts the supervisor in
// a session of its own unless the run is claimed, waits until it is ready
// (it closes descriptor 3, a pipe read by the command substitution) and
// prints supervisor.json.
const launchScript = `d=$1; b=$2
if [ ! -e "$d/supervisor.json" ] && [ ! -e "$d/exit.json" ]; then
  command -v setsid >/dev/null || { echo "setsid not found on the host" >&2; exit 1; }
  r=$( (cd / && exec setsid "$b" supervise -ready-fd=3 "$d" 3>&1 </dev/null >>"$d/supervisor.log" 2>&1) & )
fi
if [ -e "$d/supervisor.json" ]; then cat "$d/supervisor.json"; exit 0; fi
echo "supervisor did not claim the run:" >&2; tail -c 300 "$d/supervisor.log" >&2; exit 7`

// statusScript ($1 run dir, $2 supervisor pid, $3 its start ticks, $4..
// output files) prints the run's state (ended, running, lost, missing)
// and the output files' sizes (-1: none) on one line, then, for an ended
// run, exit.json. The sizes are taken after the state, so those of an
// ended run are final.
const statusScript = aliveFn + `d=$1; p=$2; k=$3; shift 3
if [ -e "$d/exit.json" ]; then s=ended; elif alive $p $k; then s=running
elif [ -e "$d/exit.json" ]; then s=ended; elif [ -d "$d" ]; then s=lost; else s=missing; fi
printf %s $s
for f in "$@"; do z=$(stat -c %s -- "$f" 2>/dev/null) || z=-1; printf ' %s' "$z"; done
echo
if [ $s = ended ]; then cat "$d/exit.json"; fi`

// fetchScript ($1 file, $2 offset, $3 count) prints at most count bytes of
// the file from offset on.
const fetchScript = `tail -c +$(($2 + 1)) -- "$1" | head -c $3`

// killScript ($1 run dir, $2 pid, $3 ticks) stores stdin as kill.json
// (atomically) and sends SIGUSR1 to the supervisor; nothing for an ended
// run.
const killScript = aliveFn + `d=$1; req=$(cat)
[ -e "$d/exit.json" ] && exit 0
[ -d "$d" ] || exit 4
t="$d/.kill.json.$$"
printf '%s\n' "$req" > "$t" && mv -f "$t" "$d/kill.json" || exit 1
alive $2 $3 && kill -s USR1 $2 && exit 0
[ -e "$d/exit.json" ] && exit 0
exit 5`

// signalScript ($1 run dir, $2 pid, $3 ticks, $4 signal name) sends the
// signal to the job's process group; nothing for an ended run or a job
// not started yet.
const signalScript = aliveFn + `d=$1
[ -e "$d/exit.json" ] && exit 0
[ -d "$d" ] || exit 4
alive $2 $3 || { [ -e "$d/exit.json" ] && exit 0; exit 5; }
jp=$(sed -n 's/.*"job_pid":\([0-9][0-9]*\).*/\1/p' "$d/supervisor.json")
[ -n "$jp" ] || exit 0
kill -s $4 -- -$jp 2>/dev/null; exit 0`

// reapScript ($1 run dir) deletes every file of the run but exit.json
// and supervisor.json.
const reapScript = `[ -e "$1/exit.json" ] || exit 4
find "$1" -mindepth 1 -maxdepth 1 ! -name exit.json ! -name supervisor.json -exec rm -rf {} +`

// removeScript ($1 run dir, $2 pid, $3 ticks) deletes the run directory
// unless its supervisor runs.
const removeScript = aliveFn + `[ -e "$1/exit.json" ] || ! alive $2 $3 || exit 6
rm -rf -- "$1"`

// listScript ($1 jobs dir) prints "RUN SUPERVISOR-JSON" for each claimed
// run.
const listScript = `cd "$1" 2>/dev/null || exit 0
for f in */supervisor.json; do
  [ -e "$f" ] || continue
  printf '%s ' "${f%/supervisor.json}"; head -n 1 "$f"
done`
