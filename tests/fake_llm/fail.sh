#!/bin/sh
cat > /dev/null
echo "rate limited" >&2
exit 3
