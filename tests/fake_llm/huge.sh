#!/bin/sh
cat > /dev/null
yes "lots of words " | head -c 5000000
