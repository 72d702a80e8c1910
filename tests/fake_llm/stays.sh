#!/bin/sh
# Never replies: starts a background child and a setsid'd one, writes the
# pids into the folder $2 (command.pid last, once all are running), then
# waits. For killing pxos during an LLM call.
cat > /dev/null
sleep 1000 &
echo $! > "$2/background.pid"
setsid sh -c 'echo $$ > "$1/escaped.pid.tmp" && mv "$1/escaped.pid.tmp" "$1/escaped.pid"; exec sleep 1000' sh "$2" &
while [ ! -s "$2/escaped.pid" ]; do sleep 0.01; done
echo $$ > "$2/command.pid.tmp" && mv "$2/command.pid.tmp" "$2/command.pid"
sleep 1000
