#include "pxos/host/posix/memory.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace pxos {

void keep_freed_blocks_for_reuse()
{
#if defined(__GLIBC__)
    // 32 MiB is glibc's largest mmap threshold on 64-bit; a fixed threshold
    // also turns off its adjustment, which starts at 128 KiB.
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

} // namespace pxos
