// The system calls on random arguments, for the machine fuzz target
// (harness.hpp) and tests/vm/syscall_fuzz_test.cpp: a 512x1024 image with
// the default kernel (and the store, where the build makes one) runs one
// process made of kSyscallBlocks blocks
//     LI r1, a
//     LI r2, b
//     LI r3, c
//     SYSCALL n
// then exits. The input patches each block: n is one of the calls 11..24
// (files, directories, pipes, processes, sbrk, seek), and each argument is
// a small number (descriptors, flags, pids), a path among the process's
// strings, an argv array (good or bad), a pointer into its memory, at its
// end, into the kernel, process table or store, or any word. A user process
// may fault; the kernel must not panic (a bad argument is an error code)
// and the host must not crash.
#pragma once

#include "builtin_steps.hpp"
#include "pxos/abi/boot_header.hpp"
#include "pxos/abi/process.hpp"
#include "pxos/abi/syscalls.hpp"
#include "pxos/abi/trap_causes.hpp"
#include "pxos/roadmap/build.hpp"
#include "pxos/roadmap/roadmap.hpp"
#include "pxos/vm/machine.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pxos::fuzz {

inline constexpr int kSyscallBlocks = 16;
inline constexpr std::uint32_t kSyscallBlockWords = 11; // 3 LI of 3 words, a SYSCALL of 2
inline constexpr std::uint32_t kFirstFuzzedSyscall = 11;
inline constexpr std::uint32_t kFuzzedSyscalls = 14; // 11..24
// Bytes one block takes from the input: the call, then a selector and 4 value bytes per argument.
inline constexpr std::size_t kSyscallBlockBytes = 1 + 3 * 5;
inline constexpr std::uint64_t kSyscallSteps = 300000;

// The strings and arrays the arguments may point at (labels of the process).
struct FuzzString {
    const char* label;
    const char* pxasm; // the data directive
};
inline constexpr FuzzString kFuzzStrings[] = {
    { "s_root", ".stringz \"/\"" },
    { "s_dot", ".stringz \".\"" },
    { "s_dotdot", ".stringz \"..\"" },
    { "s_a", ".stringz \"a\"" },
    { "s_abs", ".stringz \"/a\"" },
    { "s_dir", ".stringz \"d\"" },
    { "s_nested", ".stringz \"/d/b\"" },
    { "s_slashes", ".stringz \"//d///\"" },
    { "s_sh", ".stringz \"/bin/sh\"" },
    { "s_bin", ".stringz \"/bin\"" },
    { "s_name14", ".stringz \"abcdefghijklmn\"" },
    { "s_name15", ".stringz \"abcdefghijklmno\"" },
    { "s_long", ".stringz \"abcdefghijklmnopqrstuvwxyz0123456789\"" },
    { "s_empty", ".stringz \"\"" },
    { "s_wide", ".word 0x2f, 0x12345678, 0" },
    { "argv_ok", ".word s_a, s_dir, 0" },
    { "argv_bad", ".word 0x7fffffff, 0" },
    { "argv_open", ".word s_a, s_a, s_a, s_a" }, // no 0 before the buffer
    { "buffer", ".fill 64, 0" },
};
inline constexpr std::size_t kFuzzStringCount = sizeof(kFuzzStrings) / sizeof(kFuzzStrings[0]);

inline std::string syscall_program()
{
    std::string text = "main:\n";
    for (int i = 0; i < kSyscallBlocks; ++i)
        text += "    LI r1, 0\n    LI r2, 0\n    LI r3, 0\n    SYSCALL SYS_OPEN\n";
    text += "    LI r1, 0\n    SYSCALL SYS_EXIT\npointers:\n    .word ";
    for (std::size_t i = 0; i < kFuzzStringCount; ++i)
        text += std::string(i ? ", " : "") + kFuzzStrings[i].label;
    text += "\n";
    for (const FuzzString& entry : kFuzzStrings)
        text += std::string(entry.label) + ":\n    " + entry.pxasm + "\n";
    return text;
}

// The roadmap of the image (exposed so a test can name it).
inline std::string syscall_roadmap()
{
    std::string yaml = "metadata:\n  name: syscall-fuzz\n  vram_width: 512\n  vram_height: 1024\nsteps:\n"
                       "  - step: init_background\n  - step: layout_regions\n  - step: write_isa_palette\n"
                       "  - step: install_kernel\n  - step: add_process\n    params:\n      memory_rows: 4\n"
                       "      program_source: |\n";
    std::string program = syscall_program();
    std::size_t start = 0;
    while (start < program.size()) {
        std::size_t end = program.find('\n', start);
        yaml += "        " + program.substr(start, end - start) + "\n";
        start = end + 1;
    }
    return yaml;
}

struct SyscallImage {
    SimulatedVRAM vram;
    BootHeader header;
    std::uint32_t entry = 0, base = 0, limit = 0;
    std::vector<std::uint32_t> pointers; // each kFuzzStrings entry's address
};

inline const SyscallImage& syscall_image()
{
    static const SyscallImage image = [] {
        auto parsed = parse_roadmap(syscall_roadmap(), "syscall-fuzz.yaml", steps::builtin_registry());
        SyscallImage built { std::move(build_roadmap(parsed.value()).value().vram), {}, 0, 0, 0, {} };
        built.header = read_header(built.vram, "syscall-fuzz.png").value();
        const std::uint32_t* words = built.vram.words();
        const std::uint32_t* pcb = words + built.header.process_table; // slot 0
        built.entry = pcb[int(isa::PcbField::Entry)];
        built.base = pcb[int(isa::PcbField::Base)];
        built.limit = pcb[int(isa::PcbField::Limit)];
        std::uint32_t table = built.entry + kSyscallBlocks * kSyscallBlockWords + 5;
        built.pointers.assign(words + table, words + table + kFuzzStringCount);
        return built;
    }();
    return image;
}

// One argument from a selector byte and a 32-bit value.
inline std::uint32_t fuzz_argument(const SyscallImage& image, std::uint8_t selector, std::uint32_t value)
{
    std::uint32_t size = image.limit - image.base;
    std::uint32_t memory = std::uint32_t(image.vram.pixel_count());
    switch (selector % 10) {
    case 0: return std::uint32_t(std::int32_t(std::int8_t(value)));         // -128..127: fds, flags, pids
    case 1: return value % 8;                                               // a likely descriptor or flag
    case 2:
    case 3: return image.pointers[value % kFuzzStringCount];               // a path, an argv, the buffer
    case 4: return image.base + value % size;                               // anywhere in its memory
    case 5: return image.limit - value % 4;                                 // at its end (and one past)
    case 6: return value % memory;                                          // kernel, tables, store, others
    case 7: return image.header.store_base + value % (image.header.store_words + 1); // the store (0: none)
    case 8: return 1020 + value % 8;                                        // lengths around OS_IO_MAX
    default: return value;                                                  // any word
    }
}

// What a run did: the machine's result and the last system call entered.
struct SyscallRun {
    RunResult result;
    std::uint32_t last_call = 0;                    // its number
    std::array<std::uint32_t, 3> last_arguments {}; // r1..r3
    int last_block = -1;                            // which block made it (-1: none of them)
};

class LastSyscall final : public TrapObserver {
public:
    explicit LastSyscall(SyscallRun& run, std::uint32_t entry)
        : m_run(run)
        , m_entry(entry)
    {
    }
    void on_trap(const Machine& machine) override
    {
        if (machine.special(isa::Special::Cause) != std::uint32_t(isa::TrapCause::Syscall))
            return;
        m_run.last_call = machine.special(isa::Special::Arg);
        const auto& user = machine.registers(true);
        m_run.last_arguments = { user[1], user[2], user[3] };
        std::uint32_t epc = machine.special(isa::Special::Epc);
        m_run.last_block = epc > m_entry && epc <= m_entry + kSyscallBlocks * kSyscallBlockWords
            ? int((epc - m_entry - 1) / kSyscallBlockWords)
            : -1;
    }

private:
    SyscallRun& m_run;
    std::uint32_t m_entry;
};

// Patches the blocks from the input (bytes past kSyscallBlocks blocks are ignored; missing ones are 0).
inline SimulatedVRAM syscall_image_for(const std::uint8_t* data, std::size_t size)
{
    const SyscallImage& base = syscall_image();
    SimulatedVRAM vram = base.vram;
    std::uint32_t* words = vram.mutable_words();
    std::size_t at = 0;
    auto next = [&](std::size_t bytes) {
        std::uint32_t value = 0;
        for (std::size_t i = 0; i < bytes; ++i, ++at)
            value |= std::uint32_t(at < size ? data[at] : 0) << (8 * i);
        return value;
    };
    for (int block = 0; block < kSyscallBlocks; ++block) {
        std::uint32_t first = base.entry + std::uint32_t(block) * kSyscallBlockWords;
        words[first + 10] = kFirstFuzzedSyscall + next(1) % kFuzzedSyscalls;
        for (std::uint32_t argument = 0; argument < 3; ++argument) {
            std::uint8_t selector = std::uint8_t(next(1));
            words[first + 2 + 3 * argument] = fuzz_argument(base, selector, next(4));
        }
    }
    return vram;
}

inline SyscallRun run_syscalls(const std::uint8_t* data, std::size_t size)
{
    SyscallRun run;
    auto booted = Machine::boot(syscall_image_for(data, size), "syscall-fuzz.png");
    if (!booted)
        return run;
    LastSyscall observer(run, syscall_image().entry);
    (*booted)->set_trap_observer(&observer);
    run.result = (*booted)->run(kSyscallSteps);
    return run;
}

} // namespace pxos::fuzz
