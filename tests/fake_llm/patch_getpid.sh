#!/bin/sh
# An LLM that shortens the kernel's system call path with a SEARCH/REPLACE
# patch: getpid returns at once instead of jumping to return_r1 (its stack
# pointer is still the stack's top: it calls nothing).
cat > /dev/null
cat <<'REPLY'
getpid can skip the jump to return_r1.

kernel.pxasm
```pxasm
<<<<<<< SEARCH
sys_getpid:
    LOAD r1, r14, current
    ADDI r1, r1, FIRST_PID
    JMP return_r1
=======
sys_getpid:                       ; returns at once (sp is still the stack's top)
    LOAD r1, r14, current
    ADDI r1, r1, FIRST_PID
    USET r14, r1
    SYSRET
>>>>>>> REPLACE
```

Rationale: two instructions fewer on every getpid round trip.
REPLY
