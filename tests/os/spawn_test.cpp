// Processes from program files (roadmaps/kernel/exec.pxasm): spawn, wait
// with the exit status and reaping, argv, exec, kill, sbrk, relocation at
// load from two slots, pipes between spawned processes, and every error
// path of the loader. The images are 512x1024: process partitions and a
// store with the programs (add_file).
#include "pxos/abi/process.hpp"
#include "pxos/abi/program_file.hpp"
#include "pxos/store/store.hpp"
#include "pxos/vm/machine.hpp"
#include "fs_support.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <sstream>

using pxos::isa::ProcessState;

namespace {

struct StoreFile {
    std::string path;
    std::string program;                   // pxasm of a program file, or
    std::string text = {};                 // the text of a plain file, or
    std::vector<std::uint32_t> words = {}; // its words as they are
};

std::string indented(const std::string& text, const std::string& prefix)
{
    std::istringstream lines(text);
    std::string line, out;
    while (std::getline(lines, line))
        out += prefix + line + "\n";
    return out;
}

using OsRun = pxos::test::FsRun;

// A 512x1024 image: the kernel, a store with `files`, and one process the
// build places (pid 1) running `parent`; runs it.
OsRun run_with_store(const std::vector<StoreFile>& files, const std::string& parent, std::uint64_t max_steps = 20'000'000)
{
    std::string yaml = "metadata:\n  vram_width: 512\n  vram_height: 1024\nsteps:\n  - step: init_background\n"
                       "  - step: layout_regions\n  - step: write_isa_palette\n  - step: install_kernel\n    params:\n"
                       "      kernel_file: '"
        + pxos::test::source_path("roadmaps/kernel.pxasm") + "'\n  - step: format_store\n";
    for (const StoreFile& file : files) {
        if (!file.words.empty())
            continue;
        yaml += "  - step: add_file\n    params:\n      path: " + file.path + "\n";
        if (!file.program.empty())
            yaml += "      program_source: |\n" + indented(file.program, "        ");
        else
            yaml += "      text: '" + file.text + "'\n";
    }
    yaml += "  - step: add_process\n    params:\n      memory_rows: 16\n      program_source: |\n"
        + indented(parent, "        ");
    pxos::SimulatedVRAM vram = pxos::test::build_roadmap_text(yaml).vram;
    auto store_words = pxos::store::read_store(vram, "os.png");
    REQUIRE(store_words.ok());
    {
        auto store = pxos::store::Store::open(store_words->words, "os.png");
        REQUIRE(store.ok());
        for (const StoreFile& file : files)
            if (!file.words.empty())
                REQUIRE(store->write_file(file.path, file.words, pxos::store::Parents::Create).ok());
    }
    REQUIRE(pxos::store::write_store(vram, *store_words).ok());
    return pxos::test::run_fs_image(std::move(vram), max_steps, "", "os.png");
}

// print_r0: prints r0 and a space (uses r1-r3); every program has it.
const char* kPrint = R"(
print_r0:
    MOV r1, r0
    SYSCALL SYS_PRINT_INT
    LI r1, 1
    LI r2, space
    LI r3, 1
    SYSCALL SYS_WRITE
    RET
space: .string " "
)";

std::string with_print(const std::string& program)
{
    return program + kPrint;
}

// Prints argc and its arguments on a line; exits with 40 + argc (99 when
// argv[argc] is not 0). Its newline comes through a relocated .word.
const std::string kArgs = R"(
main:
    MOV r10, r1               ; argc
    MOV r11, r2               ; argv
    SYSCALL SYS_PRINT_INT
    LI r12, 0
next:
    BGE r12, r10, done
    LI r1, 1
    LI r2, blank
    LI r3, 1
    SYSCALL SYS_WRITE
    LOADX r13, r11, r12
    LI r3, 0
length:
    LOADX r4, r13, r3
    JZ r4, print
    ADDI r3, r3, 1
    JMP length
print:
    LI r1, 1
    MOV r2, r13
    SYSCALL SYS_WRITE
    ADDI r12, r12, 1
    JMP next
done:
    LI r5, table
    LOAD r2, r5, 1            ; &newline
    LI r1, 1
    LI r3, 1
    SYSCALL SYS_WRITE
    LOADX r4, r11, r10
    ADDI r1, r10, 40
    JZ r4, finish
    LI r1, 99
finish:
    SYSCALL SYS_EXIT
blank: .string " "
newline: .string "\n"
table: .word blank, newline
)";

const std::string kSleeper = "main:\n    LI r1, 0x7fffffff\n    SYSCALL SYS_SLEEP\n    JMP main\n";

std::vector<StoreFile> standard_files()
{
    return { { "/bin/args", kArgs }, { "/bin/sleeper", kSleeper }, { "/text", "", "not a program" } };
}

} // namespace

TEST_CASE("spawn starts a program file with argv, wait returns its status and reaps it", "[os][spawn]")
{
    auto run = run_with_store(standard_files(), with_print(R"(
main:
    LI r1, path
    LI r2, argv
    SYSCALL SYS_SPAWN
    MOV r5, r0
    CALL print_r0             ; its pid: the first free slot's
    MOV r1, r5
    SYSCALL SYS_WAIT
    CALL print_r0             ; 40 + argc
    MOV r1, r5
    SYSCALL SYS_WAIT          ; reaped: no such process
    CALL print_r0
    LI r1, 0
    SYSCALL SYS_EXIT
path: .stringz "/bin/args"
a0: .stringz "args"
a1: .stringz "one"
a2: .stringz "two words"
argv: .word a0, a1, a2, 0
)"));
    CHECK(run.output == "2 3 args one two words\n43 -15 ");
    CHECK(run.result.halt_code == 0);
    REQUIRE(run.processes.size() == 1); // the child's slot is free again
    CHECK(run.processes[0].pid == 1);
}

TEST_CASE("the same program file runs from two slots at once, relocated for each", "[os][spawn]")
{
    auto run = run_with_store(standard_files(), with_print(R"(
main:
    LI r1, path
    LI r2, argv_a
    SYSCALL SYS_SPAWN
    MOV r5, r0
    LI r1, path
    LI r2, argv_b
    SYSCALL SYS_SPAWN
    MOV r6, r0
    MOV r1, r5
    SYSCALL SYS_WAIT
    CALL print_r0
    MOV r1, r6
    SYSCALL SYS_WAIT
    CALL print_r0
    LI r1, 0
    SYSCALL SYS_EXIT
path: .stringz "/bin/args"
a0: .stringz "first"
b0: .stringz "second"
b1: .stringz "x"
argv_a: .word a0, 0
argv_b: .word b0, b1, 0
)"));
    CHECK(run.output == "1 first\n2 second x\n41 42 ");
    CHECK(run.result.faults.empty());
}

TEST_CASE("spawn with no arguments gives argc 0 and an argv of one 0", "[os][spawn]")
{
    auto run = run_with_store(standard_files(), with_print(R"(
main:
    LI r1, path
    LI r2, 0
    SYSCALL SYS_SPAWN
    MOV r1, r0
    SYSCALL SYS_WAIT
    CALL print_r0
    LI r1, 0
    SYSCALL SYS_EXIT
path: .stringz "/bin/args"
)"));
    CHECK(run.output == "0\n40 ");
}

TEST_CASE("exec replaces the caller's program in its slot's partition and keeps its pid", "[os][exec]")
{
    auto run = run_with_store(standard_files(), R"(
main:
    LI r1, path
    LI r2, argv
    SYSCALL SYS_EXEC
    LI r1, 77                 ; not reached
    SYSCALL SYS_EXIT
path: .stringz "/bin/args"
a0: .stringz "args"
a1: .stringz "x"
argv: .word a0, a1, 0
)");
    CHECK(run.output == "2 args x\n");
    REQUIRE(run.processes.size() == 1);
    CHECK(run.processes[0].pid == 1);
    CHECK(run.processes[0].exit_code == 42);
    CHECK(run.processes[0].base == 512 * 512); // slot 0's partition
    CHECK(run.processes[0].limit == 512 * 512 + 8192);
}

TEST_CASE("a spawned program execs another with its own argv, which lies in the memory exec replaces", "[os][exec]")
{
    std::vector<StoreFile> files = standard_files();
    files.push_back({ "/bin/execer", R"(
main:
    LI r1, path               ; r2: its own argv, at the top of its partition
    SYSCALL SYS_EXEC
    MOV r1, r0
    SYSCALL SYS_EXIT
path: .stringz "/bin/args"
)" });
    auto run = run_with_store(files, with_print(R"(
main:
    LI r1, path
    LI r2, argv
    SYSCALL SYS_SPAWN
    MOV r5, r0
    MOV r1, r0
    SYSCALL SYS_WAIT
    CALL print_r0
    LI r1, 0
    SYSCALL SYS_EXIT
path: .stringz "/bin/execer"
a0: .stringz "execer"
a1: .stringz "a"
a2: .stringz "bc"
argv: .word a0, a1, a2, 0
)"));
    CHECK(run.output == "3 execer a bc\n43 ");
    CHECK(run.result.faults.empty());
}

TEST_CASE("a failed exec returns its error and the caller goes on", "[os][exec]")
{
    auto run = run_with_store(standard_files(), with_print(R"(
main:
    LI r1, missing
    LI r2, 0
    SYSCALL SYS_EXEC
    CALL print_r0             ; ERR_NOENT
    LI r1, text
    LI r2, 0
    SYSCALL SYS_EXEC
    CALL print_r0             ; ERR_NOEXEC
    LI r1, root
    LI r2, 0
    SYSCALL SYS_EXEC
    CALL print_r0             ; a directory: ERR_NOEXEC
    LI r1, path
    LI r2, 3
    SYSCALL SYS_EXEC
    CALL print_r0             ; argv outside: ERR_FAULT
    LI r1, 0
    SYSCALL SYS_EXIT
missing: .stringz "/bin/none"
text: .stringz "/text"
root: .stringz "/"
path: .stringz "/bin/args"
)"));
    CHECK(run.output == "-4 -12 -12 -3 ");
    CHECK(run.result.halt_code == 0);
}

TEST_CASE("spawn refuses bad arguments, missing files, non-programs, programs too big and a full table", "[os][spawn]")
{
    std::vector<StoreFile> files = standard_files();
    files.push_back({ "/bin/big", "main:\n    LI r1, 0\n    SYSCALL SYS_EXIT\n    .fill 7800, 0\n" });
    auto run = run_with_store(files, with_print(R"(
main:
    LI r1, missing
    LI r2, 0
    SYSCALL SYS_SPAWN
    CALL print_r0             ; ERR_NOENT
    LI r1, text
    LI r2, 0
    SYSCALL SYS_SPAWN
    CALL print_r0             ; ERR_NOEXEC
    LI r1, args
    LI r2, 100                ; the pointer array outside the caller
    SYSCALL SYS_SPAWN
    CALL print_r0             ; ERR_FAULT
    LI r1, args
    LI r2, bad_string
    SYSCALL SYS_SPAWN
    CALL print_r0             ; a string outside: ERR_FAULT
    LI r4, 240 * 512 + 16 * 512 - 1
    LI r6, 'x'
    STORE r6, r4, 0           ; the memory's last word, not 0
    LI r1, args
    LI r2, unended
    SYSCALL SYS_SPAWN
    CALL print_r0             ; a string that runs past the memory's end: ERR_FAULT
    LI r1, args
    LI r2, many
    SYSCALL SYS_SPAWN
    CALL print_r0             ; 17 arguments: ERR_NOMEM
    LI r1, big
    LI r2, 0
    SYSCALL SYS_SPAWN
    CALL print_r0             ; code and stack do not fit: ERR_NOMEM
    LI r5, 0                  ; fill the table
fill:
    LI r1, sleeper
    LI r2, 0
    SYSCALL SYS_SPAWN
    LI r4, 0
    BLT r0, r4, full
    ADDI r5, r5, 1
    JMP fill
full:
    MOV r6, r0
    MOV r0, r5
    CALL print_r0             ; 15 spawned
    MOV r0, r6
    CALL print_r0             ; then ERR_NOMEM
    LI r5, 2                  ; kill and reap them all
reap:
    MOV r1, r5
    SYSCALL SYS_KILL
    MOV r1, r5
    SYSCALL SYS_WAIT
    ADD r7, r7, r0
    ADDI r5, r5, 1
    LI r4, 17
    BLT r5, r4, reap
    MOV r0, r7
    CALL print_r0             ; 15 times -1
    LI r1, args
    LI r2, 0
    SYSCALL SYS_SPAWN
    CALL print_r0             ; room again: pid 2
    LI r1, 0
    SYSCALL SYS_EXIT
missing: .stringz "/nothing/here"
text: .stringz "/text"
args: .stringz "/bin/args"
sleeper: .stringz "/bin/sleeper"
big: .stringz "/bin/big"
bad_string: .word 5, 0
many: .word a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, 0
a: .stringz "a"
unended: .word 240 * 512 + 16 * 512 - 1, 0
)"));
    CHECK(run.output == "-4 -12 -3 -3 -3 -16 -16 15 -16 -15 2 0\n");
    CHECK(run.result.faults.empty());
}

TEST_CASE("sbrk grows and shrinks the heap of a spawned program between its code and its stack", "[os][sbrk]")
{
    std::vector<StoreFile> files = { { "/bin/heap", with_print(R"(
main:
    LI r1, 0
    SYSCALL SYS_SBRK
    MOV r5, r0                ; the break: the end of the code
    LI r1, end_of_code
    SUB r0, r5, r1
    CALL print_r0             ; 1: the word after end_of_code
    LI r1, 100
    SYSCALL SYS_SBRK
    SUB r0, r0, r5
    CALL print_r0             ; 0: the old break
    LI r6, 7
    STORE r6, r5, 99          ; the heap's last word is ours
    LOAD r0, r5, 99
    CALL print_r0             ; 7
    LI r1, 100000
    SYSCALL SYS_SBRK
    CALL print_r0             ; into the stack: ERR_NOMEM
    LI r1, -101
    SYSCALL SYS_SBRK
    CALL print_r0             ; below the code's end: ERR_NOMEM
    LI r1, -100
    SYSCALL SYS_SBRK
    SUB r0, r0, r5
    CALL print_r0             ; 100
    LI r1, 0
    SYSCALL SYS_SBRK
    SUB r0, r0, r5
    CALL print_r0             ; 0
    LI r1, 0
    SYSCALL SYS_EXIT
)") + "end_of_code: .word 0\n" } };
    auto run = run_with_store(files, R"(
main:
    LI r1, path
    LI r2, 0
    SYSCALL SYS_SPAWN
    MOV r1, r0
    SYSCALL SYS_WAIT
    MOV r1, r0
    SYSCALL SYS_EXIT
path: .stringz "/bin/heap"
)");
    CHECK(run.output == "1 0 7 -16 -16 100 0 ");
    CHECK(run.result.faults.empty());
    CHECK(run.result.halt_code == 0);
}

TEST_CASE("kill ends a spawned child and its parent's wait gets -1", "[os][kill]")
{
    auto run = run_with_store(standard_files(), with_print(R"(
main:
    LI r1, path
    LI r2, 0
    SYSCALL SYS_SPAWN
    MOV r5, r0
    SYSCALL SYS_YIELD         ; the child goes to sleep
    MOV r1, r5
    SYSCALL SYS_KILL
    CALL print_r0
    MOV r1, r5
    SYSCALL SYS_WAIT
    CALL print_r0
    LI r1, 0
    SYSCALL SYS_EXIT
path: .stringz "/bin/sleeper"
)"));
    CHECK(run.output == "0 -1 ");
    CHECK(run.processes.size() == 1);
    CHECK(run.result.halt_code == 0);
}

namespace {

// Writes the words 1..1000 to descriptor 4 (a pipe's write end), 100 at a
// time, each write as often as it takes; exits with 0, or the error.
const std::string kWriter = R"(
main:
    LI r1, 3
    SYSCALL SYS_CLOSE         ; it does not read
    LI r12, buffer
    LI r10, 1
    LI r13, 1001
fill:
    ADDI r4, r10, -1
    STOREX r10, r12, r4
    ADDI r10, r10, 1
    BLT r10, r13, fill
    LI r10, 0                 ; words written
    LI r13, 1000
write_all:
    BGE r10, r13, done
    LI r1, 4
    ADD r2, r12, r10
    SUB r3, r13, r10
    LI r4, 100
    BLT r3, r4, write
    MOV r3, r4
write:
    SYSCALL SYS_WRITE
    LI r4, 0
    BLT r0, r4, failed
    ADD r10, r10, r0
    JMP write_all
done:
    LI r1, 0
    SYSCALL SYS_EXIT
failed:
    MOV r1, r0
    SYSCALL SYS_EXIT
buffer: .fill 1000, 0
)";

// Reads descriptor 3 (a pipe's read end) to its end, 64 words at a time;
// prints the words read and their sum.
const std::string kReader = with_print(R"(
main:
    LI r1, 4
    SYSCALL SYS_CLOSE         ; it does not write
    LI r10, 0                 ; sum
    LI r11, 0                 ; words
    LI r12, buffer
read:
    LI r1, 3
    MOV r2, r12
    LI r3, 64
    SYSCALL SYS_READ
    JZ r0, end
    LI r4, 0
    BLT r0, r4, failed
    ADD r11, r11, r0
    LI r5, 0
sum:
    LOADX r6, r12, r5
    ADD r10, r10, r6
    ADDI r5, r5, 1
    BLT r5, r0, sum
    JMP read
end:
    MOV r0, r11
    CALL print_r0
    MOV r0, r10
    CALL print_r0
    LI r1, 0
    SYSCALL SYS_EXIT
failed:
    MOV r1, r0
    SYSCALL SYS_EXIT
buffer: .fill 64, 0
)");

} // namespace

TEST_CASE("a pipe between two spawned processes: the reader blocks, the writer blocks when full, EOF at its exit",
    "[os][pipe]")
{
    auto run = run_with_store({ { "/bin/writer", kWriter }, { "/bin/reader", kReader } }, with_print(R"(
main:
    LI r1, fds
    SYSCALL SYS_PIPE          ; descriptors 3 and 4
    LI r1, reader
    LI r2, 0
    SYSCALL SYS_SPAWN         ; it runs first: the pipe is empty, it blocks
    MOV r5, r0
    LI r1, writer
    LI r2, 0
    SYSCALL SYS_SPAWN
    MOV r6, r0
    LI r1, 3
    SYSCALL SYS_CLOSE         ; only the children hold the ends now
    LI r1, 4
    SYSCALL SYS_CLOSE
    MOV r1, r5
    SYSCALL SYS_WAIT
    CALL print_r0
    MOV r1, r6
    SYSCALL SYS_WAIT
    CALL print_r0
    LI r1, 0
    SYSCALL SYS_EXIT
reader: .stringz "/bin/reader"
writer: .stringz "/bin/writer"
fds: .word 0, 0
)"));
    CHECK(run.output == "1000 500500 0 0 ");
    CHECK(run.result.halt_code == 0);
}

TEST_CASE("a writer blocked on a full pipe gets ERR_PIPE when the last reader exits", "[os][pipe]")
{
    std::vector<StoreFile> files = { { "/bin/lazy",
        "main:\n    LI r1, 4\n    SYSCALL SYS_CLOSE\n    LI r1, 20000\n    SYSCALL SYS_SLEEP\n    LI r1, 0\n"
        "    SYSCALL SYS_EXIT\n" } };
    auto run = run_with_store(files, with_print(R"(
main:
    LI r1, fds
    SYSCALL SYS_PIPE
    LI r1, lazy
    LI r2, 0
    SYSCALL SYS_SPAWN         ; holds the read end, never reads, exits
    MOV r5, r0
    LI r1, 3
    SYSCALL SYS_CLOSE
    LI r1, 4
    LI r2, buffer
    LI r3, 600
    SYSCALL SYS_WRITE
    CALL print_r0             ; 512: full
    LI r1, 4
    LI r2, buffer
    LI r3, 88
    SYSCALL SYS_WRITE         ; blocks until the reader is gone
    CALL print_r0             ; ERR_PIPE
    MOV r1, r5
    SYSCALL SYS_WAIT
    CALL print_r0
    LI r1, 0
    SYSCALL SYS_EXIT
lazy: .stringz "/bin/lazy"
fds: .word 0, 0
buffer: .fill 600, 0
)"));
    CHECK(run.output == "512 -11 0 ");
    CHECK(run.result.steps > 20000);
}

TEST_CASE("a damaged program file is ERR_NOEXEC for spawn and exec, and the caller goes on", "[os][spawn]")
{
    const std::uint32_t magic = pxos::abi::kProgramMagic, version = pxos::abi::kProgramVersion;
    // Header: magic, version, code words, entry, relocations, 0, 0, 0; then the code and relocations.
    std::vector<StoreFile> files = {
        { "/bad/version", "", "", { magic, version + 1, 1, 0, 0, 0, 0, 0, 0 } },
        { "/bad/entry", "", "", { magic, version, 1, 1, 0, 0, 0, 0, 0 } },
        { "/bad/short", "", "", { magic, version, 4, 0, 0, 0, 0, 0, 0, 0 } },
        { "/bad/relocation", "", "", { magic, version, 2, 0, 1, 0, 0, 0, 0, 0, 2 } },
        { "/bad/relocations", "", "", { magic, version, 2, 0, 3, 0, 0, 0, 0, 0, 1 } },
        { "/bad/header", "", "", { magic, version, 1 } },
        { "/bad/huge", "", "", { magic, version, 0xfffffff0u, 0, 0x20u, 0, 0, 0, 0 } },
    };
    auto run = run_with_store(files, with_print(R"(
main:
    LI r5, paths
next:
    LOAD r1, r5, 0
    JZ r1, exec
    LI r2, 0
    SYSCALL SYS_SPAWN
    CALL print_r0
    ADDI r5, r5, 1
    JMP next
exec:
    LI r1, p3
    LI r2, 0
    SYSCALL SYS_EXEC
    CALL print_r0             ; still here
    LI r1, 0
    SYSCALL SYS_EXIT
p0: .stringz "/bad/version"
p1: .stringz "/bad/entry"
p2: .stringz "/bad/short"
p3: .stringz "/bad/relocation"
p4: .stringz "/bad/relocations"
p5: .stringz "/bad/header"
p6: .stringz "/bad/huge"
paths: .word p0, p1, p2, p3, p4, p5, p6, 0
)"));
    CHECK(run.output == "-12 -12 -12 -12 -12 -12 -12 -12 ");
    CHECK(run.result.halt_code == 0);
    REQUIRE(run.processes.size() == 1);
    CHECK(run.processes[0].base == 240 * 512); // exec left it where the build put it
}

namespace {

// The default roadmap's processes (hello, primes, draw, init) in a
// 512x1024 image with a formatted store, plus `files`.
OsRun run_demo_with(const std::vector<StoreFile>& files)
{
    std::string yaml = "metadata:\n  vram_width: 512\n  vram_height: 1024\nsteps:\n  - step: init_background\n"
                       "  - step: layout_regions\n  - step: write_isa_palette\n  - step: install_kernel\n    params:\n"
                       "      kernel_file: '"
        + pxos::test::source_path("roadmaps/kernel.pxasm") + "'\n  - step: format_store\n";
    for (const StoreFile& file : files)
        yaml += "  - step: add_file\n    params:\n      path: " + file.path + "\n      program_source: |\n"
            + indented(file.program, "        ");
    for (const char* name : { "hello", "primes", "draw", "init" })
        yaml += "  - step: add_process\n    params:\n      program_file: '"
            + pxos::test::source_path(std::string("roadmaps/programs/") + name + ".pxasm") + "'\n";
    return pxos::test::run_fs_image(pxos::test::build_roadmap_text(yaml).vram, 20'000'000, "", "os.png");
}

const std::string kDemoOutput = "Hello from pxOS!\n"
                                "Primes below 100: 2 3 5 7 11 13 17 19 23 29 31 37 41 43 47 53 59 61 67 71 73 79 83 89 "
                                "97 \n"
                                "draw: painted a 128x128 pattern into the display\n";

} // namespace

TEST_CASE("init runs /bin/sh with argv [sh] after the demo's processes, reaps it and exits with 0", "[os][init]")
{
    auto run = run_demo_with({ { "/bin/sh", kArgs } });
    CHECK(run.output == kDemoOutput + "1 sh\n");
    CHECK(run.result.reason == pxos::StopReason::Halted);
    CHECK(run.result.halt_code == 0);
    REQUIRE(run.processes.size() == 4); // the shell's slot is free again
    CHECK(run.processes[3].pid == 4);
    CHECK(run.processes[3].state == std::uint32_t(ProcessState::Exited));
    CHECK(run.processes[3].exit_code == 0);
}

TEST_CASE("init exits with 0 when the store has no /bin/sh", "[os][init]")
{
    auto run = run_demo_with({});
    CHECK(run.output == kDemoOutput);
    CHECK(run.result.halt_code == 0);
    CHECK(run.processes.size() == 4);
}
