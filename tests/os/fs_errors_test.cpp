// The kernel's file system calls when things go wrong: every error a call
// answers, a full store, a full log, a damaged store, a full open file
// table, and runs stopped at any step. The store must be whole after each.
#include "fs_support.hpp"

#include "pxos/abi/boot_header.hpp"
#include "pxos/abi/store.hpp"

#include <algorithm>
#include <catch2/catch.hpp>

using namespace pxos::test;

TEST_CASE("each bad argument of a file call gets its error, and the store stays whole", "[os][fs][errors]")
{
    auto run = run_fs_program(R"(
main:
    LI r1, a
    LI r2, O_WRITE + O_CREATE
    SYSCALL SYS_OPEN
    MOV r4, r0                ; 3: write only
    LI r1, nope
    LI r2, O_READ
    SYSCALL SYS_OPEN
    CALL show                 ; -4 no such file
    LI r1, 7
    SYSCALL SYS_CLOSE
    CALL show                 ; -2 not open
    LI r1, -1
    SYSCALL SYS_CLOSE
    CALL show                 ; -2 no such descriptor
    LI r1, 99
    SYSCALL SYS_DUP
    CALL show                 ; -2
    MOV r1, r4
    LI r2, buffer
    LI r3, 4
    SYSCALL SYS_READ
    CALL show                 ; -2 not open for reading
    LI r1, 0
    LI r2, buffer
    LI r3, 0
    SYSCALL SYS_READ
    CALL show                 ; 0 words from the console: fine
    MOV r1, r4
    LI r2, 0
    LI r3, 4
    SYSCALL SYS_WRITE
    CALL show                 ; -3 not the caller's memory
    MOV r1, r4
    LI r2, buffer
    LI r3, -1
    SYSCALL SYS_WRITE
    CALL show                 ; -3 a negative length
    LI r1, 0
    LI r2, O_READ
    SYSCALL SYS_OPEN
    CALL show                 ; -3 the path is not the caller's
    LI r1, long_name
    LI r2, O_WRITE + O_CREATE
    SYSCALL SYS_OPEN
    CALL show                 ; -17 a name of 16 characters
    LI r1, long_path
    LI r2, O_READ
    SYSCALL SYS_OPEN
    CALL show                 ; -17 a path of 129 characters
    LI r1, a
    SYSCALL SYS_MKDIR
    CALL show                 ; -5 exists
    LI r1, root
    LI r2, O_WRITE
    SYSCALL SYS_OPEN
    CALL show                 ; -7 a directory for writing
    LI r1, through_file
    LI r2, O_READ
    SYSCALL SYS_OPEN
    CALL show                 ; -6 a file is not a directory
    LI r1, through_file
    SYSCALL SYS_MKDIR
    CALL show                 ; -6
    LI r1, a
    SYSCALL SYS_CHDIR
    CALL show                 ; -6
    LI r1, root
    LI r2, b
    SYSCALL SYS_LINK
    CALL show                 ; -7 no links to directories
    LI r1, a
    LI r2, a
    SYSCALL SYS_LINK
    CALL show                 ; -5
    MOV r1, r4
    LI r2, buffer
    SYSCALL SYS_READDIR
    CALL show                 ; -6 a file is not a directory
    LI r1, a
    LI r2, 64
    SYSCALL SYS_OPEN
    CALL show                 ; -13 no such flag
    MOV r1, r4
    LI r2, -1
    SYSCALL SYS_SEEK
    CALL show                 ; -13
    LI r1, 0
    LI r2, 0
    SYSCALL SYS_SEEK
    CALL show                 ; -13 the console has no offset
    LI r1, root
    SYSCALL SYS_UNLINK
    CALL show                 ; -13 no last name
    LI r1, root_dot
    SYSCALL SYS_UNLINK
    CALL show                 ; -13
    LI r1, nope
    SYSCALL SYS_UNLINK
    CALL show                 ; -4
    MOV r1, r4
    LI r2, 0
    SYSCALL SYS_FSTAT
    CALL show                 ; -3
    LI r1, 9
    LI r2, buffer
    SYSCALL SYS_FSTAT
    CALL show                 ; -2
    LI r1, empty
    LI r2, O_READ
    SYSCALL SYS_OPEN
    CALL show                 ; -4 the empty path
    LI r5, 0
fill:
    LI r1, a
    LI r2, O_READ
    SYSCALL SYS_OPEN
    BLT r0, r5, full
    JMP fill
full:
    CALL show                 ; -9 every descriptor taken
    LI r1, 0
    SYSCALL SYS_DUP
    CALL show                 ; -9
    LI r1, 0
    SYSCALL SYS_EXIT
show:
    MOV r1, r0
    JMP putn
a: .stringz "/a"
b: .stringz "/b"
nope: .stringz "/nope"
root: .stringz "/"
root_dot: .stringz "/."
empty: .stringz ""
through_file: .stringz "/a/x"
long_name: .stringz "/abcdefghijklmnop"
long_path: .word '/'
    .fill 128, 'p'
    .word 0
buffer: .fill 16, 0
)");
    CHECK(run.output == "-4 -2 -2 -2 -2 0 -3 -3 -3 -17 -17 -5 -7 -6 -6 -6 -7 -5 -6 -13 -13 -13 -13 -13 -4 -3 -2 -4 -9 -9 ");
    CHECK(run.result.halt_code == 0);
    auto store = store_of(run.machine->vram());
    CHECK(store_problems(store) == "");
}

TEST_CASE("without a store every file call answers ERR_NOENT", "[os][fs][errors]")
{
    auto image = build_fs_image({ R"(
main:
    LI r1, a
    LI r2, O_READ + O_CREATE
    SYSCALL SYS_OPEN
    MOV r1, r0
    CALL putn
    LI r1, a
    SYSCALL SYS_MKDIR
    MOV r1, r0
    CALL putn
    LI r1, a
    SYSCALL SYS_CHDIR
    MOV r1, r0
    CALL putn
    LI r1, 0
    SYSCALL SYS_EXIT
a: .stringz "/a"
)" });
    // A store that is not one (no magic) is no store.
    auto header = pxos::read_header(image, "fs.png");
    REQUIRE(header.ok());
    image.mutable_words()[header->store_base] = 0;
    auto run = run_fs_image(std::move(image));
    CHECK(run.output == "-4 -4 -4 ");
}

TEST_CASE("a full store answers ERR_NOSPC and the failed write changes nothing", "[os][fs][errors]")
{
    auto run = run_fs_program(R"(
main:
    LI r1, big
    LI r2, O_WRITE + O_CREATE
    SYSCALL SYS_OPEN
    MOV r4, r0
    LI r5, 0                  ; writes that went in
    LI r6, 0
more:
    MOV r1, r4
    LI r2, buffer
    LI r3, OS_IO_MAX
    SYSCALL SYS_WRITE
    BLT r0, r6, full
    ADDI r5, r5, 1
    JMP more
full:
    MOV r7, r0
    MOV r1, r5
    CALL putn
    MOV r1, r7
    CALL putn                 ; ERR_NOSPC
    LI r1, dir
    SYSCALL SYS_MKDIR
    MOV r1, r0
    CALL putn                 ; ERR_NOSPC: no block for its entries
    MOV r1, r4
    LI r2, stat
    SYSCALL SYS_FSTAT
    LI r6, stat
    LOAD r1, r6, STAT_SIZE
    CALL putn
    LI r1, 0
    SYSCALL SYS_EXIT
big: .stringz "/big"
dir: .stringz "/d"
stat: .fill STAT_WORDS, 0
buffer: .fill OS_IO_MAX, 7
)");
    // 241 free data blocks: 120 writes of 2 blocks and the indirect block
    // fill them exactly; the 121st finds none.
    CHECK(run.output == "120 -8 -8 122880 ");
    auto store = store_of(run.machine->vram());
    CHECK(store_problems(store) == "");
    auto words = read_store_file(store, "/big");
    CHECK(words.size() == 120u * 1024u);
    CHECK(std::all_of(words.begin(), words.end(), [](std::uint32_t w) { return w == 7; }));
    bool found = true;
    read_store_file(store, "/d", &found);
    CHECK_FALSE(found);
}

TEST_CASE("inodes run out: open with O_CREATE answers ERR_NOSPC", "[os][fs][errors]")
{
    auto run = run_fs_program(R"(
main:
    LI r5, 0                  ; files made
    LI r6, 0
    LI r8, name
next:
    LI r7, 10
    DIV r1, r5, r7
    ADDI r1, r1, 'a'
    STORE r1, r8, 1
    MOD r1, r5, r7
    ADDI r1, r1, 'a'
    STORE r1, r8, 2
    LI r7, 100
    DIV r1, r5, r7
    ADDI r1, r1, 'a'
    STORE r1, r8, 3
    LI r1, name
    LI r2, O_WRITE + O_CREATE
    SYSCALL SYS_OPEN
    BLT r0, r6, out
    MOV r1, r0
    SYSCALL SYS_CLOSE
    ADDI r5, r5, 1
    JMP next
out:
    MOV r7, r0
    MOV r1, r5
    CALL putn
    MOV r1, r7
    CALL putn
    LI r1, 0
    SYSCALL SYS_EXIT
name: .stringz "/xxx"
)");
    // 128 inodes: 0 is never used, 1 is the root.
    CHECK(run.output == "126 -8 ");
    CHECK(store_problems(store_of(run.machine->vram())) == "");
}

TEST_CASE("a run stopped at any step leaves a store that recovery makes whole", "[os][fs][crash]")
{
    const std::string program = R"(
main:
    LI r1, dir
    SYSCALL SYS_MKDIR
    LI r5, 0
again:
    LI r1, file
    LI r2, O_WRITE + O_CREATE + O_APPEND
    SYSCALL SYS_OPEN
    MOV r4, r0
    MOV r1, r4
    LI r2, buffer
    LI r3, 700                ; across a block's end
    SYSCALL SYS_WRITE
    MOV r1, r4
    SYSCALL SYS_CLOSE
    LI r1, file
    LI r2, other
    SYSCALL SYS_LINK
    LI r1, other
    SYSCALL SYS_UNLINK
    ADDI r5, r5, 1
    LI r6, 4
    BLT r5, r6, again
    LI r1, file
    SYSCALL SYS_UNLINK
    LI r1, dir
    SYSCALL SYS_UNLINK
    LI r1, 0
    SYSCALL SYS_EXIT
dir: .stringz "/d"
file: .stringz "/d/f"
other: .stringz "/g"
buffer: .fill 700, 9
)";
    const pxos::SimulatedVRAM image = build_fs_image({ program });
    auto whole = run_fs_image(image);
    REQUIRE(whole.result.reason == pxos::StopReason::Halted);
    REQUIRE(whole.result.halt_code == 0);
    const std::uint64_t steps = whole.result.steps;
    CHECK(store_problems(store_of(whole.machine->vram())) == "");

    int cut_inside_a_call = 0;
    for (int i = 1; i <= 40; ++i) {
        const std::uint64_t budget = steps * std::uint64_t(i) / 41 + std::uint64_t(i);
        INFO("stopped after " << budget << " of " << steps << " steps");
        auto cut = run_fs_image(image, budget);
        REQUIRE(cut.result.reason == pxos::StopReason::BudgetExhausted);
        auto store = store_of(cut.machine->vram());
        if (store[std::size_t(pxos::abi::store::Superblock::LOG_COUNT)] != 0)
            ++cut_inside_a_call;
        // The host's way: undo the log, then check.
        auto undone = store;
        undo_store(undone);
        CHECK(store_problems(undone) == "");
        // The kernel's way: boot the stopped image again (fs_recover); when
        // it first enters user mode (the reboot restarts the program), its
        // recovery has run.
        auto rebooted = pxos::Machine::boot(cut.machine->vram(), "cut.png").value();
        for (int step = 0; step < 1'000'000 && !rebooted->user_mode() && !rebooted->halted(); ++step)
            rebooted->run(1);
        CHECK(rebooted->user_mode());
        CHECK(store_problems(store_of(rebooted->vram())) == "");
        CHECK(store_of(rebooted->vram()) == undone);
    }
    CHECK(cut_inside_a_call > 10); // most stops land inside a write
}

TEST_CASE("a call that would overflow the undo log fails with ERR_NOSPC and changes nothing", "[os][fs][errors]")
{
    auto image = build_fs_image({ R"(
main:
    LI r1, path
    LI r2, O_WRITE + O_CREATE
    SYSCALL SYS_OPEN
    MOV r4, r0
    MOV r1, r4
    LI r2, ones
    LI r3, 600
    SYSCALL SYS_WRITE         ; new blocks: no log entries for the words
    MOV r1, r0
    CALL putn
    MOV r1, r4
    LI r2, 0
    SYSCALL SYS_SEEK
    MOV r1, r4
    LI r2, twos
    LI r3, 600
    SYSCALL SYS_WRITE         ; 600 old words to log: more than 256 entries
    MOV r1, r0
    CALL putn
    MOV r1, r4
    LI r2, twos
    LI r3, 200
    SYSCALL SYS_WRITE         ; 200 fit
    MOV r1, r0
    CALL putn
    LI r1, 0
    SYSCALL SYS_EXIT
path: .stringz "/f"
ones: .fill 600, 1
twos: .fill 600, 2
)" },
        1); // one log block: 256 entries
    auto run = run_fs_image(std::move(image));
    CHECK(run.output == "600 -8 200 ");
    auto store = store_of(run.machine->vram());
    CHECK(store_problems(store) == "");
    auto words = read_store_file(store, "/f");
    REQUIRE(words.size() == 600);
    CHECK(std::count(words.begin(), words.end(), 2u) == 200);
    CHECK(std::count(words.begin(), words.begin() + 200, 2u) == 200);
}

TEST_CASE("a damaged store gives the calls errors, never a kernel fault", "[os][fs][errors]")
{
    auto image = build_fs_image({ R"(
main:
    LI r1, a
    LI r2, O_READ
    SYSCALL SYS_OPEN
    MOV r1, r0
    CALL putn                 ; ERR_NOENT: the entry names inode 5000
    LI r1, b
    LI r2, O_READ
    SYSCALL SYS_OPEN
    MOV r4, r0
    MOV r1, r0
    CALL putn                 ; 3: inode 2 is a file
    MOV r1, r4
    LI r2, buffer
    LI r3, 8
    SYSCALL SYS_READ
    MOV r1, r0
    CALL putn                 ; ERR_FAIL: its block number is 70000
    MOV r1, r4
    LI r2, 20000
    SYSCALL SYS_SEEK
    MOV r1, r4
    LI r2, buffer
    LI r3, 8
    SYSCALL SYS_READ
    MOV r1, r0
    CALL putn                 ; ERR_FAIL: its indirect block number is a log block
    LI r1, 0
    SYSCALL SYS_EXIT
a: .stringz "/a"
b: .stringz "/b"
buffer: .fill 8, 0
)" });
    auto header = pxos::read_header(image, "fs.png");
    REQUIRE(header.ok());
    namespace st = pxos::abi::store;
    std::uint32_t* store = image.mutable_words() + header->store_base;
    std::uint32_t* root_entries = store + 14 * 512;
    root_entries[32] = 5000; // "/a" names an inode past the table
    root_entries[33] = 'a';
    root_entries[48] = 2; // "/b" names inode 2
    root_entries[49] = 'b';
    store[10 * 512 + 16 + int(st::Inode::SIZE)] = 0x8000003fu; // the root's size: damaged too
    std::uint32_t* inode2 = store + 10 * 512 + 2 * 16;
    inode2[int(st::Inode::TYPE)] = 2;
    inode2[int(st::Inode::LINKS)] = 1;
    inode2[int(st::Inode::SIZE)] = 0x40000000;
    inode2[int(st::Inode::DIRECT)] = 70000;
    inode2[int(st::Inode::DIRECT) + 10] = 0;
    inode2[int(st::Inode::INDIRECT)] = 3; // a log block, not a data block
    auto run = run_fs_image(std::move(image));
    CHECK(run.result.reason == pxos::StopReason::Halted);
    CHECK(run.output == "-4 3 -1 -1 ");
}

TEST_CASE("the open file table holds OS_FILE_SLOTS entries: then open answers ERR_NFILE", "[os][fs][errors]")
{
    // Five processes each open /a until they cannot (13 each would need 65
    // entries with the console's), then sleep so that the others see it.
    const std::string opener = R"(
main:
    LI r1, a
    LI r2, O_WRITE + O_CREATE
    SYSCALL SYS_OPEN
    MOV r1, r0
    SYSCALL SYS_CLOSE
    LI r5, 0
    LI r6, 0
more:
    LI r1, a
    LI r2, O_READ
    SYSCALL SYS_OPEN
    BLT r0, r6, stop
    ADDI r5, r5, 1
    SYSCALL SYS_YIELD
    JMP more
stop:
    MOV r7, r0
    MOV r1, r5
    CALL putn
    MOV r1, r7
    CALL putn
    LI r1, 100000
    SYSCALL SYS_SLEEP
    LI r1, 0
    SYSCALL SYS_EXIT
a: .stringz "/a"
)";
    auto run = run_fs_image(build_fs_image({ opener, opener, opener, opener, opener }));
    // 63 entries after the console: 12 processes' worth of 13 is 60, and 3 more.
    std::string output = run.output;
    CHECK(output.find("-10 ") != std::string::npos);
    int nfile = 0, mfile = 0, opened = 0;
    std::size_t start = 0;
    std::vector<int> numbers;
    while (start < output.size()) {
        std::size_t end = output.find(' ', start);
        numbers.push_back(std::stoi(output.substr(start, end - start)));
        start = end + 1;
    }
    REQUIRE(numbers.size() == 10);
    for (std::size_t i = 0; i < numbers.size(); i += 2) {
        opened += numbers[i];
        nfile += numbers[i + 1] == -10;
        mfile += numbers[i + 1] == -9;
    }
    CHECK(opened == 63);
    CHECK(nfile + mfile == 5);
    CHECK(nfile >= 1);
}

TEST_CASE("recovery at boot puts back the logged words, newest first, and skips entries into the superblock or the log", "[os][fs][crash]")
{
    auto image = build_fs_image({ "main:\n    LI r1, 0\n    SYSCALL SYS_EXIT\n" });
    auto header = pxos::read_header(image, "fs.png");
    REQUIRE(header.ok());
    namespace st = pxos::abi::store;
    std::uint32_t* store = image.mutable_words() + header->store_base;
    const std::uint32_t log = store[int(st::Superblock::LOG_START)] * 512;
    const std::uint32_t data = 200 * 512 + 7; // a word of a free data block
    const std::uint32_t entries[][2] = {
        { data, 11 },                                         // oldest: wins last
        { data, 22 },
        { std::uint32_t(st::Superblock::BLOCKS), 0 },         // damaged: into the superblock
        { log + 100, 55 },                                    // damaged: into the log
        { 0x7fffffff, 1 },                                    // damaged: outside the store
    };
    for (std::uint32_t i = 0; i < 5; ++i) {
        store[log + 2 * i] = entries[i][0];
        store[log + 2 * i + 1] = entries[i][1];
    }
    store[data] = 99;
    store[int(st::Superblock::LOG_COUNT)] = 5;
    auto run = run_fs_image(std::move(image));
    CHECK(run.result.halt_code == 0);
    auto after = store_of(run.machine->vram());
    CHECK(after[data] == 11);
    CHECK(after[log + 100] == 0);
    CHECK(after[std::size_t(st::Superblock::BLOCKS)] == 256);
    CHECK(after[std::size_t(st::Superblock::LOG_COUNT)] == 0);
}
