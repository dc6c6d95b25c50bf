# rec FILE CMD... : append "$ CMD", its stdout, its stderr after "--- stderr", and "[exit N]" when not 0.
export SLURM_CONF=/etc/slurm/slurm.conf
export PATH=/usr/bin:/bin:/usr/sbin:/sbin
rec() {
    local f=$1; shift
    printf '$ %s\n' "$*" >> "$f"
    bash -c "$*" > /tmp/gpu-rec/.o 2> /tmp/gpu-rec/.e
    local rc=$?
    cat /tmp/gpu-rec/.o >> "$f"
    if [ -s /tmp/gpu-rec/.e ]; then printf -- '--- stderr\n' >> "$f"; cat /tmp/gpu-rec/.e >> "$f"; fi
    [ $rc != 0 ] && printf '[exit %d]\n' $rc >> "$f"
    return 0
}
waitstate() { # waitstate ID STATE
    for i in $(seq 120); do st=$(squeue -h -j "$1" -o %T 2>/dev/null); [ "$st" = "$2" ] && return 0; sleep 0.5; done; echo "timeout waiting for $1 $2 (now $st)" >&2; return 1
}
waitgone() {
    for i in $(seq 240); do [ -z "$(squeue -h -j "$1" -o %T 2>/dev/null)" ] && break; sleep 0.5; done
    for i in $(seq 60); do sacct -n -X -j "$1" -o State | grep -q COMPLETED && return 0; sleep 0.5; done
}
running_views() { # running_views FILE ID
    local f=$1 id=$2
    rec "$f" "squeue"
    rec "$f" "squeue -o %b"
    rec "$f" "squeue -o '%i %b %C %D'"
    rec "$f" "squeue -O tres-per-node,tres-per-job,tres-per-task,tres-per-socket,cpus-per-tres,mem-per-tres"
    rec "$f" "squeue -O jobid,tres-alloc:60,tres-bind,tres-freq,gres"
    rec "$f" "squeue -O 'tres-per-node:|,tres-per-job:|,tres-per-task:|,cpus-per-tres:|,mem-per-tres:|,tres-alloc:|'"
    rec "$f" "scontrol show job $id"
    rec "$f" "scontrol -d show job $id"
    rec "$f" "scontrol -o show job $id"
    rec "$f" "sinfo -o '%N %G'"
    rec "$f" "sinfo -N -O NodeList,Gres,GresUsed"
    rec "$f" "sinfo -o '%P %a %D %t %N %C %G'"
    rec "$f" "scontrol show node vm"
    rec "$f" "scontrol -d show node vm"
}
done_views() {
    local f=$1 id=$2
    rec "$f" "sacct -j $id -o JobID,ReqTRES%60,AllocTRES%60 -P"
    rec "$f" "sacct -j $id -o JobID,ReqTRES%60,AllocTRES%60"
    rec "$f" "sacct -j $id -o JobID,ReqTRES,AllocTRES"
    rec "$f" "sacct -j $id -o JobID,AllocTRES%60,ReqGRES,AllocGRES -P"
    rec "$f" "cat /tmp/gpu-rec/out/$id.out"
}
one() { # one NAME OPTS...: a job alone, running then done
    local name=$1; shift
    local f=/tmp/gpu-rec/$name.txt; : > "$f"
    local id
    printf '# sbatch %s\n' "$*" >> "$f"
    id=$(sbatch --parsable -J "$name" -o '/tmp/gpu-rec/out/%j.out' "$@" --wrap='env | sort; sleep 8')
    echo "# job $id" >> "$f"
    waitstate "$id" RUNNING
    running_views "$f" "$id"
    waitgone "$id"
    done_views "$f" "$id"
    echo "$name $id done"
}
