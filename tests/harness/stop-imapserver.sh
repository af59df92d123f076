#!/bin/bash
# usage: stop-imapserver.sh WORKDIR -- stops what start-cyrus.sh / start-courier.sh started there
# (every WORKDIR/run/*.pid whose process still names WORKDIR on its command line or in
# PIM_TEST_WORKDIR); files are kept.
W=$(realpath -m "${1:?usage: $0 WORKDIR}")
ours() { grep -qsaF -- "$W/" "/proc/$1/cmdline" || grep -qsaF -- "PIM_TEST_WORKDIR=$W/" "/proc/$1/environ"; }
pids=$(for p in $(cat "$W"/run/*.pid 2>/dev/null); do ours "$p" && echo "$p"; done)
[ -n "$pids" ] || exit 0
kill $pids 2>/dev/null
alive() { for p in $pids; do ps -o stat= -p "$p" | grep -qv Z && return 0; done; return 1; }  # zombies count as gone
for i in $(seq 100); do alive || break; sleep 0.05; done
alive && kill -9 $pids 2>/dev/null
# Leftover children (IMAP sessions, authdaemond workers) of those daemons.
# Not this script nor its caller (a watchdog names WORKDIR too, and removes it after us).
for p in $(ps -eo pid=); do
  [ "$p" = $$ ] || [ "$p" = "$PPID" ] || ! ours "$p" || kill -9 "$p" 2>/dev/null
done
exit 0
