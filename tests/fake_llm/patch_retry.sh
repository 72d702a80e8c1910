#!/bin/sh
# A patch against text that is not in the kernel first (a label misremembered);
# once the prompt shows the rejected reply and the nearest text, the right one.
if grep -q "previous reply was rejected" "$1"; then
    exec sh "$(dirname "$0")/patch_getpid.sh" < /dev/null
fi
cat <<'REPLY'
kernel.pxasm
<<<<<<< SEARCH
sys_getpid:
    LOAD r1, r14, current_slot
    ADDI r1, r1, FIRST_PID
    JMP return_r1
=======
sys_getpid:
    LOAD r1, r14, current_slot
    ADDI r1, r1, FIRST_PID
    USET r14, r1
    SYSRET
>>>>>>> REPLACE
REPLY
