// How the host's allocator treats the evaluator's many large short-lived
// blocks (src/host/posix/memory.cpp).
#pragma once

namespace pxos {

// glibc gives each freed block of a few MiB (an image copy, a machine's
// decoded slots) back to the kernel, and the next one is faulted in and
// zeroed page by page again; an evaluation makes dozens, the loop hundreds a
// second. This keeps freed blocks of up to 32 MiB in the heap for reuse
// (the process's memory stays at its peak rather than rising and falling).
// Elsewhere it does nothing. Called once, first thing in main.
void keep_freed_blocks_for_reuse();

} // namespace pxos
