#!/bin/sh
# Replies at once and exits, leaving a child that keeps stdout open: the
# reply is complete when this script exits, and the child dies with it.
# $2: a folder for the pids (command.pid, background.pid).
sh "$(dirname "$0")/edits.sh" # reads the prompt, prints the reply
sleep 1000 &
echo $! > "$2/background.pid"
echo $$ > "$2/command.pid"
