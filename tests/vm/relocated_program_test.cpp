// A program assembled relocatable at 0 (a program file's code) runs the
// same at any load base once its relocations are applied: loaded here into
// process 1's memory at two bases by C++, as the kernel's loader does.
#include "pxos/asm/program_file.hpp"

#include "pxos/abi/boot_header.hpp"
#include "pxos/abi/process.hpp"
#include "pxos/vm/machine.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <string>

namespace {

// Jumps through a .word table of labels (CALLR), calls and returns, a load
// from a label plus a constant, a difference of labels, a relocated pointer.
const std::string kProgram = R"(
main:
    LI r4, 0
    LI r5, table
    LI r6, 0
    LI r7, COUNT
loop:
    LOADX r1, r5, r6
    CALLR r1
    ADDI r6, r6, 1
    BLT r6, r7, loop
    LOAD r1, r4, values + 1
    SYSCALL SYS_PRINT_INT
    LI r1, values_end - values
    SYSCALL SYS_PRINT_INT
    LI r2, values
    LOAD r3, r4, pointer
    SUB r1, r3, r2
    SYSCALL SYS_PRINT_INT
    LI r1, 7
    SYSCALL SYS_EXIT
first:
    LI r1, 11
    SYSCALL SYS_PRINT_INT
    RET
second:
    CALL first
    LI r1, 22
    SYSCALL SYS_PRINT_INT
    JMP done
    LI r1, 99
    SYSCALL SYS_PRINT_INT
done:
    RET
table:
    .word first, second, first
COUNT = 3
values:
    .word 5, 6, 7
values_end:
pointer:
    .word values
)";

struct LoadedRun {
    std::string output;
    pxos::ProcessInfo process;
};

// Builds the OS with a process whose memory is empty, copies `code` to its
// memory base + `offset`, points the process at base + offset + entry, runs.
LoadedRun run_loaded(const pxos::ProgramFile& file, std::uint32_t offset, bool relocate)
{
    auto image = pxos::test::build_os({ pxos::test::ProgramSpec { "main:\n    .fill 512, 0\n" } });
    auto header = pxos::read_header(image.vram, "os.png");
    REQUIRE(header.ok());
    std::uint32_t* words = image.vram.mutable_words();
    std::uint32_t* pcb = words + header->process_table; // slot 0
    std::uint32_t base = pcb[int(pxos::isa::PcbField::Base)] + offset;
    auto code = relocate ? pxos::relocated_code(file, base) : file.code;
    for (std::size_t i = 0; i < code.size(); ++i)
        words[base + i] = code[i];
    pcb[int(pxos::isa::PcbField::Entry)] = base + file.entry;
    pcb[int(pxos::isa::PcbField::Pc)] = base + file.entry;
    auto machine = pxos::Machine::boot(std::move(image.vram), "os.png");
    REQUIRE(machine.ok());
    (*machine)->run(1'000'000);
    auto processes = (*machine)->processes();
    REQUIRE(processes.size() == 1);
    return { (*machine)->console_output(), processes[0] };
}

} // namespace

TEST_CASE("a relocatable program runs identically at two load bases", "[vm][relocation]")
{
    pxos::AssembleOptions options;
    options.relocatable = true;
    auto program = pxos::assemble(kProgram, "moving.pxasm", options);
    REQUIRE(program.ok());
    auto words = pxos::program_file_words(*program, "moving.pxasm");
    REQUIRE(words.ok());
    auto file = pxos::read_program_file(*words, "moving.pxex");
    REQUIRE(file.ok());
    CHECK(file->relocations.size() == 11);

    for (std::uint32_t offset : { 0u, 37u }) {
        INFO("loaded at the memory base + " << offset);
        LoadedRun run = run_loaded(*file, offset, true);
        CHECK(run.output == "11112211630");
        CHECK(run.process.state == std::uint32_t(pxos::isa::ProcessState::Exited));
        CHECK(run.process.exit_code == 7);
    }
    // Without the relocations the code jumps into the kernel's memory and faults.
    LoadedRun unrelocated = run_loaded(*file, 37, false);
    CHECK(unrelocated.output.empty());
    CHECK(unrelocated.process.state == std::uint32_t(pxos::isa::ProcessState::Faulted));
}
