#!/bin/sh
# Never answers; the child sleeps too, so only killing the group ends it.
sleep 30 &
sleep 30
