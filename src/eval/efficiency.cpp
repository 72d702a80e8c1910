// The efficiency metrics' probes (syscall_round_trip, context_switch,
// pipe_word): processes injected alone into a copy of the image, each run
// once with its operations and once without, so the difference of the two
// step counts is exactly the instructions the operations cost (user and
// kernel together), the same for the same image.
#include "eval/evaluation.hpp"

#include "pxos/abi/process.hpp"
#include "pxos/asm/assembler.hpp"
#include "pxos/isa/isa.hpp"

#include <array>

namespace pxos {

namespace {

// `count` copies of a line, then exit(0). The calls are unrolled, so no
// loop instruction is counted with them; each SYSCALL returns with a fresh
// time slice, so no preemption falls between them either.
std::string repeated(std::string_view line, std::uint32_t count)
{
    std::string source = "main:\n";
    for (std::uint32_t i = 0; i < count; ++i)
        source += fmt::format("    {}\n", line);
    return source + "    LI r1, 0\n    SYSCALL SYS_EXIT\n";
}

std::vector<std::string> getpid_probe(std::uint32_t operations)
{
    return { repeated("SYSCALL SYS_GETPID", operations) };
}

// Two processes that yield to each other: each yield switches to the other.
std::vector<std::string> yield_probes(std::uint32_t operations)
{
    std::string one = repeated("SYSCALL SYS_YIELD", operations / 2);
    return { one, one };
}

// Words through a pipe, kPipeChunk a call: write a chunk, read it back.
// A call that moves less, or fails, exits with 3 (the run is refused).
constexpr std::uint32_t kPipeChunk = 16;
std::vector<std::string> pipe_probe(std::uint32_t operations)
{
    return { fmt::format("main:\n"
                         "    LI r13, 0\n    LI r1, fds\n    SYSCALL SYS_PIPE\n    BNE r0, r13, bad\n"
                         "    LI r10, {}\n    LI r4, {}\n    JZ r10, done\n"
                         "again:\n"
                         "    LOAD r1, r13, fds + 1\n    LI r2, buf\n    MOV r3, r4\n    SYSCALL SYS_WRITE\n"
                         "    BNE r0, r4, bad\n"
                         "    LOAD r1, r13, fds\n    LI r2, buf\n    MOV r3, r4\n    SYSCALL SYS_READ\n"
                         "    BNE r0, r4, bad\n"
                         "    ADDI r10, r10, -1\n    BNE r10, r13, again\n"
                         "done:\n    LI r1, 0\n    SYSCALL SYS_EXIT\n"
                         "bad:\n    LI r1, 3\n    SYSCALL SYS_EXIT\n"
                         "fds: .word 0, 0\nbuf: .fill {}, 7\n",
        operations / kPipeChunk, kPipeChunk, kPipeChunk) };
}

constexpr std::array kProbes {
    OperationProbe { "syscall_round_trip", "getpid calls", 64, getpid_probe },
    OperationProbe { "context_switch", "yields between two processes", 64, yield_probes },
    OperationProbe { "pipe_word", "words written into a pipe and read back, 16 a call", 256, pipe_probe },
};

} // namespace

std::span<const OperationProbe> operation_probes()
{
    return kProbes;
}

Result<SimulatedVRAM> image_with_only(const SimulatedVRAM& image, const BootHeader& h,
    const std::vector<std::string>& sources)
{
    int width = image.width();
    SimulatedVRAM copy = image;
    std::uint32_t* words = copy.mutable_words();
    for (std::uint32_t i = 0; i < h.process_slots; ++i)
        words[h.process_table + std::size_t(i) * h.pcb_words + int(isa::PcbField::State)]
            = std::uint32_t(isa::ProcessState::Free);
    constexpr std::uint32_t kRows = 4;
    std::uint32_t first_row = region_rows(RegionId::ProgramArea, width).first / std::uint32_t(width) + 16;
    if (sources.size() > h.process_slots)
        return Error::bad_input("", fmt::format("{} process slots, {} probes", h.process_slots, sources.size()));
    if (first_row + kRows * sources.size() > std::uint32_t(h.display.y))
        return Error::bad_input("", fmt::format("no {} free rows between the program area and the display area",
                                        kRows * sources.size()));
    for (std::uint32_t slot = 0; slot < sources.size(); ++slot) {
        ProcessSpec spec = abi::process_in_rows(slot, isa::ProcessState::Ready, width, first_row + kRows * slot,
            kRows, 64);
        AssembleOptions options;
        options.vram_width = width;
        options.vram_height = copy.height();
        options.origin = spec.base;
        auto program = probe_assemblies().assemble(sources[slot], "probe.pxasm", options);
        if (!program)
            return Error::bad_input("", "internal: the probe does not assemble: " + program.error().message());
        PXOS_TRY(abi::place_process(copy, h.process_table, spec,
            [&](SimulatedVRAM& memory) { return write_program(*program, memory); }));
    }
    return copy;
}

} // namespace pxos
