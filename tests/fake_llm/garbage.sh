#!/bin/sh
cat > /dev/null
echo "I am a language model and I would rather talk about the weather."
