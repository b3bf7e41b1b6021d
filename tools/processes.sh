# Processes that tools/local-cluster.sh starts, and how it finds them again.
# Sourced; the caller sets:
#   dir   the state dir (absolute, canonical); identifies this cluster's processes
#   run   where pid files go (<run>/<name>.pid)
#   logs  where logs go (<logs>/<name>.log, the previous one kept as .previous.log)
# and may set KUBE_ACCESS_STOP_TIMEOUT (seconds between SIGTERM and SIGKILL, 30).
#
# A process that `launch` starts carries KUBE_ACCESS_PROCESS=<dir>:<name> in its
# environment, and so does everything it runs: the environment survives exec and
# is inherited by children. Whether <name> is running, and what `stop` signals,
# is decided from that mark alone, so the answer is right whatever the process
# tree looks like: a wrapper that runs the program as a child (Keycloak's kc.sh),
# a wrapper that execs it (kc.sh after a re-augmentation, when the pid file holds
# java's pid), a program that forks and lets its first process exit. A process
# without the mark is never counted or signalled, even if it got a pid that one
# of ours had (pid reuse). The pid file only records what `launch` started.
#
# No pipeline here ends in a reader that may exit early (`grep -q`, `head`):
# under `set -o pipefail`, the writer's SIGPIPE would make the check fail.

process_mark() { echo "KUBE_ACCESS_PROCESS=$dir:$1"; }

# pids_of NAME: the pids of every running process of NAME, one per line.
pids_of() {
  local mark files f pid
  mark=$(process_mark "$1")
  # /proc/<pid>/environ is NUL-separated; -z reads it entry by entry, -x matches
  # the whole entry. Processes that vanish meanwhile or belong to other users
  # are unreadable and skipped.
  mapfile -t files < <(grep -lsxzF -- "$mark" /proc/[0-9]*/environ || true)
  for f in "${files[@]}"; do
    pid=${f#/proc/}
    pid=${pid%/environ}
    [[ "$pid" =~ ^[0-9]+$ ]] && echo "$pid"
  done
  legacy_pids_of "$1"
}

# legacy_pids_of NAME: a process started before processes were marked: the pid
# in the pid file, if it runs with this state dir on its command line and has no
# mark, and its children (kc.sh's java).
legacy_pids_of() {
  local f="$run/$1.pid" pid cmdline environ
  [[ -f "$f" ]] || return 0
  pid=$(<"$f")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  cmdline=$(tr '\0' '\n' 2>/dev/null <"/proc/$pid/cmdline") || return 0
  environ=$(tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ") || return 0
  [[ "$cmdline" == *"$dir/"* ]] || return 0
  [[ $'\n'"$environ" == *$'\n'KUBE_ACCESS_PROCESS=* ]] && return 0
  echo "$pid"
  pgrep -P "$pid" || true
}

# running NAME: some process of NAME runs.
running() {
  local pids
  pids=$(pids_of "$1")
  [[ -n "$pids" ]]
}

# main_pid NAME: the pid to show for NAME: the launched one if it still runs,
# otherwise the lowest running one.
main_pid() {
  local pids launched=
  mapfile -t pids < <(pids_of "$1" | sort -n)
  ((${#pids[@]})) || return 1
  [[ -f "$run/$1.pid" ]] && launched=$(<"$run/$1.pid")
  if [[ " ${pids[*]} " == *" $launched "* ]]; then echo "$launched"; else echo "${pids[0]}"; fi
}

# launch NAME COMMAND...: starts COMMAND in the background, marked as NAME;
# output to <logs>/NAME.log, pid to <run>/NAME.pid.
launch() {
  local name=$1
  shift
  mkdir -p "$logs" "$run"
  # Keep the previous log for post-mortems.
  [[ -s "$logs/$name.log" ]] && mv -f "$logs/$name.log" "$logs/$name.previous.log"
  echo "# $(date -u +%FT%TZ) $*" >"$logs/$name.log"
  # Background commands of a script ignore SIGINT; nohup makes them ignore SIGHUP,
  # so an interrupted `start` leaves a consistent state that `stop` cleans up.
  # The caller's other descriptors stay with the caller: a lock held by
  # `flock <file> tools/local-cluster.sh start` is released when start returns,
  # not kept by the cluster's processes for as long as they run.
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      if ((fd > 2)); then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    KUBE_ACCESS_PROCESS="$dir:$name" exec nohup "$@" >>"$logs/$name.log" 2>&1 </dev/null
  ) &
  echo $! >"$run/$name.pid"
}

# launched_alive NAME: the process `launch` started for NAME has not exited yet.
# Right after `launch` it may still be the shell's fork, before the mark is in
# its environment, so this also looks at the pid file.
launched_alive() {
  local pid state
  running "$1" && return 0
  [[ -f "$run/$1.pid" ]] || return 1
  pid=$(<"$run/$1.pid")
  state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$pid/status" 2>/dev/null) || return 1
  [[ -n "$state" && "$state" != Z ]]
}

# stop_process NAME: SIGTERM to every process of NAME, SIGKILL to those left
# after KUBE_ACCESS_STOP_TIMEOUT seconds; returns once none runs.
stop_process() {
  local name=$1 pids i timeout=${KUBE_ACCESS_STOP_TIMEOUT:-30} first
  mapfile -t pids < <(pids_of "$name")
  if ((${#pids[@]})); then
    first=$(main_pid "$name" || echo "${pids[0]}")
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for ((i = 0; i < timeout * 10; i++)); do
      running "$name" || break
      sleep 0.1
    done
    mapfile -t pids < <(pids_of "$name")
    if ((${#pids[@]})); then
      say "$name (pids ${pids[*]}) did not stop in ${timeout}s; killing"
      kill -KILL "${pids[@]}" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do
        running "$name" || break
        sleep 0.1
      done
      running "$name" && die "$name (pids $(pids_of "$name" | tr '\n' ' ')) still runs after SIGKILL"
    fi
    say "$name stopped (pid $first)"
  fi
  rm -f "$run/$name.pid"
}
