#!/bin/sh
# Replies, then leaves children that escape its process group: one in a
# session of its own (setsid), one orphaned by a subshell (double fork),
# both holding stdout open. $2: a folder for the pids.
sh "$(dirname "$0")/edits.sh" # reads the prompt, prints the reply
setsid sh -c 'echo $$ > "$1/escaped.pid.tmp" && mv "$1/escaped.pid.tmp" "$1/escaped.pid"; exec sleep 1000' sh "$2" &
(sleep 1000 & echo $! > "$2/orphan.pid")
while [ ! -s "$2/escaped.pid" ]; do sleep 0.01; done
echo $$ > "$2/command.pid"
