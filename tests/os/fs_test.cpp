// The kernel's file system calls, driven by user programs in a 512x1024
// image with a formatted store: what they print, and the store they leave
// (checked by the host's fsck, independent of the kernel's code).
#include "fs_support.hpp"

#include "pxos/abi/boot_header.hpp"
#include "pxos/abi/store.hpp"
#include "test_support.hpp"

#include <algorithm>
#include <catch2/catch.hpp>

using namespace pxos::test;

namespace {

std::string text_of(const std::vector<std::uint32_t>& words)
{
    std::string text;
    for (std::uint32_t word : words)
        text += char(word);
    return text;
}


} // namespace

TEST_CASE("a file is created, written, read back, and described by fstat", "[os][fs]")
{
    auto run = run_fs_program(R"(
main:
    LI r1, path_a
    LI r2, O_WRITE + O_CREATE
    SYSCALL SYS_OPEN
    MOV r4, r0
    MOV r1, r0
    CALL putn                 ; the lowest free descriptor: 3
    MOV r1, r4
    LI r2, text
    LI r3, 5
    SYSCALL SYS_WRITE
    MOV r1, r0
    CALL putn                 ; 5 words written
    MOV r1, r4
    SYSCALL SYS_CLOSE
    MOV r1, r0
    CALL putn
    LI r1, path_a
    LI r2, O_READ
    SYSCALL SYS_OPEN
    MOV r4, r0
    MOV r1, r4
    LI r2, buffer
    LI r3, 64
    SYSCALL SYS_READ
    MOV r3, r0
    LI r1, 1
    LI r2, buffer
    SYSCALL SYS_WRITE         ; hello
    CALL newline
    MOV r1, r4
    LI r2, buffer
    LI r3, 64
    SYSCALL SYS_READ
    MOV r1, r0
    CALL putn                 ; 0 at the end
    MOV r1, r4
    LI r2, stat
    SYSCALL SYS_FSTAT
    LI r6, stat
    LOAD r1, r6, STAT_TYPE
    CALL putn
    LOAD r1, r6, STAT_INODE
    CALL putn
    LOAD r1, r6, STAT_LINKS
    CALL putn
    LOAD r1, r6, STAT_SIZE
    CALL putn
    LI r1, 0
    LI r2, stat
    SYSCALL SYS_FSTAT         ; the console
    LI r6, stat
    LOAD r1, r6, STAT_TYPE
    CALL putn
    LI r1, 0
    SYSCALL SYS_EXIT
path_a: .stringz "/a"
text: .string "hello"
buffer: .fill 64, 0
stat: .fill STAT_WORDS, 0
)");
    CHECK(run.result.reason == pxos::StopReason::Halted);
    CHECK(run.output == "3 5 0 hello\n0 2 2 1 5 3 ");
    CHECK(run.result.halt_code == 0);
    auto store = store_of(run.machine->vram());
    CHECK(store_problems(store) == "");
    CHECK(text_of(read_store_file(store, "/a")) == "hello");
}

TEST_CASE("append, seek and truncate move a file's words as open's flags say", "[os][fs]")
{
    auto run = run_fs_program(R"(
main:
    LI r1, path
    LI r2, O_WRITE + O_CREATE
    SYSCALL SYS_OPEN
    MOV r4, r0
    MOV r1, r4
    LI r2, first
    LI r3, 5
    SYSCALL SYS_WRITE
    MOV r1, r4
    SYSCALL SYS_CLOSE
    LI r1, path
    LI r2, O_WRITE + O_APPEND
    SYSCALL SYS_OPEN
    MOV r4, r0
    MOV r1, r4
    LI r2, 0
    SYSCALL SYS_SEEK          ; append writes at the end all the same
    MOV r1, r4
    LI r2, second
    LI r3, 6
    SYSCALL SYS_WRITE
    MOV r1, r4
    SYSCALL SYS_CLOSE
    LI r1, path
    LI r2, O_READ + O_WRITE
    SYSCALL SYS_OPEN
    MOV r4, r0
    MOV r1, r4
    LI r2, 6
    SYSCALL SYS_SEEK
    MOV r1, r4
    LI r2, buffer
    LI r3, 64
    SYSCALL SYS_READ
    MOV r3, r0
    LI r1, 1
    LI r2, buffer
    SYSCALL SYS_WRITE         ; world
    CALL newline
    MOV r1, r4
    LI r2, 0
    SYSCALL SYS_SEEK
    MOV r1, r4
    LI r2, capital
    LI r3, 1
    SYSCALL SYS_WRITE         ; overwrite the first word
    MOV r1, r4
    SYSCALL SYS_CLOSE
    LI r1, copy
    LI r2, O_WRITE + O_CREATE
    SYSCALL SYS_OPEN
    MOV r4, r0
    MOV r1, r4
    LI r2, first
    LI r3, 5
    SYSCALL SYS_WRITE
    MOV r1, r4
    SYSCALL SYS_CLOSE
    LI r1, copy
    LI r2, O_WRITE + O_TRUNC
    SYSCALL SYS_OPEN
    MOV r4, r0
    MOV r1, r4
    LI r2, stat
    SYSCALL SYS_FSTAT
    LI r6, stat
    LOAD r1, r6, STAT_SIZE
    CALL putn                 ; 0: truncated
    LI r1, 0
    SYSCALL SYS_EXIT
path: .stringz "/f"
copy: .stringz "/g"
first: .string "hello"
second: .string " world"
capital: .string "H"
buffer: .fill 64, 0
stat: .fill STAT_WORDS, 0
)");
    CHECK(run.output == "world\n0 ");
    auto store = store_of(run.machine->vram());
    CHECK(store_problems(store) == "");
    CHECK(text_of(read_store_file(store, "/f")) == "Hello world");
    bool found = false;
    CHECK(read_store_file(store, "/g", &found).empty());
    CHECK(found);
}

TEST_CASE("directories: mkdir, chdir, relative paths, . and .., readdir, unlink", "[os][fs]")
{
    auto run = run_fs_program(R"(
main:
    LI r1, dir
    SYSCALL SYS_MKDIR
    MOV r1, r0
    CALL putn                 ; 0
    LI r1, dir
    SYSCALL SYS_MKDIR
    MOV r1, r0
    CALL putn                 ; ERR_EXIST
    LI r1, dir_relative
    SYSCALL SYS_CHDIR
    MOV r1, r0
    CALL putn                 ; 0
    LI r1, name_f
    LI r2, O_WRITE + O_CREATE
    SYSCALL SYS_OPEN          ; "f" in /d
    MOV r4, r0
    MOV r1, r4
    LI r2, text
    LI r3, 2
    SYSCALL SYS_WRITE
    MOV r1, r4
    SYSCALL SYS_CLOSE
    LI r1, winding
    LI r2, O_READ
    SYSCALL SYS_OPEN          ; "../d/./f"
    MOV r4, r0
    MOV r1, r4
    LI r2, buffer
    LI r3, 16
    SYSCALL SYS_READ
    MOV r3, r0
    LI r1, 1
    LI r2, buffer
    SYSCALL SYS_WRITE         ; ok
    MOV r1, r4
    SYSCALL SYS_CLOSE
    LI r1, dot
    LI r2, O_READ
    SYSCALL SYS_OPEN          ; the working directory
    MOV r4, r0
list:
    MOV r1, r4
    LI r2, entry
    SYSCALL SYS_READDIR
    JZ r0, listed
    LI r1, entry + DIRENT_NAME
    CALL puts
    CALL newline_space
    JMP list
listed:
    MOV r1, r4
    SYSCALL SYS_CLOSE
    LI r1, dir
    SYSCALL SYS_UNLINK
    MOV r1, r0
    CALL putn                 ; ERR_NOTEMPTY
    LI r1, name_f
    SYSCALL SYS_UNLINK
    MOV r1, r0
    CALL putn                 ; 0
    LI r1, root
    SYSCALL SYS_CHDIR
    LI r1, dir
    SYSCALL SYS_UNLINK
    MOV r1, r0
    CALL putn                 ; 0: empty now
    LI r1, dir
    LI r2, O_READ
    SYSCALL SYS_OPEN
    MOV r1, r0
    CALL putn                 ; ERR_NOENT
    LI r1, long_dir
    SYSCALL SYS_MKDIR
    LI r1, long_dir_dot_dot
    SYSCALL SYS_CHDIR
    MOV r1, r0
    CALL putn                 ; 0: its `..` is the root's
    LI r1, long_dir
    SYSCALL SYS_UNLINK
    MOV r1, r0
    CALL putn                 ; 0: `.` and `..` only
    LI r1, 0
    SYSCALL SYS_EXIT
newline_space:
    LI r1, space
    JMP puts
dir: .stringz "/d"
long_dir: .stringz "/a_longer_name"
long_dir_dot_dot: .stringz "/a_longer_name/.."
dir_relative: .stringz "d/"
name_f: .stringz "f"
winding: .stringz "../d/./f"
dot: .stringz "."
root: .stringz "/"
space: .stringz " "
text: .string "ok"
buffer: .fill 16, 0
entry: .fill STORE_DIRENT_WORDS, 0
    .word 0
)");
    CHECK(run.output == "0 -5 0 ok. .. f -14 0 0 -4 0 0 ");
    CHECK(run.result.halt_code == 0);
    auto store = store_of(run.machine->vram());
    CHECK(store_problems(store) == "");
    bool found = true;
    read_store_file(store, "/d", &found);
    CHECK_FALSE(found);
}

TEST_CASE("link gives a file a second name, and the file lives until its last name goes", "[os][fs]")
{
    auto run = run_fs_program(R"(
main:
    LI r1, a
    LI r2, O_WRITE + O_CREATE
    SYSCALL SYS_OPEN
    MOV r4, r0
    MOV r1, r4
    LI r2, text
    LI r3, 3
    SYSCALL SYS_WRITE
    LI r1, a
    LI r2, b
    SYSCALL SYS_LINK
    MOV r1, r0
    CALL putn                 ; 0
    MOV r1, r4
    LI r2, stat
    SYSCALL SYS_FSTAT
    LI r6, stat
    LOAD r1, r6, STAT_LINKS
    CALL putn                 ; 2
    LI r1, a
    SYSCALL SYS_UNLINK
    LI r1, b
    SYSCALL SYS_UNLINK        ; no name left, but still open
    MOV r1, r4
    LI r2, 0
    SYSCALL SYS_SEEK
    MOV r1, r4
    LI r2, more
    LI r3, 1
    SYSCALL SYS_WRITE
    MOV r1, r0
    CALL putn                 ; 1: an open file still takes writes
    MOV r1, r4
    LI r2, stat
    SYSCALL SYS_FSTAT
    LI r6, stat
    LOAD r1, r6, STAT_LINKS
    CALL putn                 ; 0
    MOV r1, r4
    SYSCALL SYS_CLOSE         ; now it goes
    LI r1, b
    LI r2, O_READ
    SYSCALL SYS_OPEN
    MOV r1, r0
    CALL putn                 ; ERR_NOENT
    LI r1, 0
    SYSCALL SYS_EXIT
a: .stringz "/a"
b: .stringz "/b"
text: .string "abc"
more: .string "x"
stat: .fill STAT_WORDS, 0
)");
    CHECK(run.output == "0 2 1 0 -4 ");
    auto store = store_of(run.machine->vram());
    CHECK(store_problems(store) == "");
    // Every data block but the root directory's is free again.
    const auto& sb = store;
    std::uint32_t map = sb[std::size_t(pxos::abi::store::Superblock::MAP_START)] * 512;
    std::uint32_t used = 0;
    for (std::uint32_t b = sb[std::size_t(pxos::abi::store::Superblock::DATA_START)];
         b < sb[std::size_t(pxos::abi::store::Superblock::BLOCKS)]; ++b)
        used += store[map + b];
    CHECK(used == 1);
}

TEST_CASE("print_int follows descriptor 1 into a file, dup shares the offset, IO_MAX caps a call", "[os][fs]")
{
    auto run = run_fs_program(R"(
main:
    LI r1, 1
    SYSCALL SYS_CLOSE
    LI r1, out
    LI r2, O_WRITE + O_CREATE
    SYSCALL SYS_OPEN          ; the lowest free descriptor: 1
    MOV r4, r0
    LI r1, -42
    SYSCALL SYS_PRINT_INT     ; into /out
    LI r1, 1
    SYSCALL SYS_DUP
    MOV r5, r0                ; 3, sharing the entry
    MOV r1, r5
    LI r2, tail
    LI r3, 1
    SYSCALL SYS_WRITE         ; after the digits: one offset
    MOV r1, r5
    LI r2, buffer
    LI r3, 1500
    SYSCALL SYS_WRITE
    MOV r6, r0                ; 1024: the cap
    LI r1, 1
    SYSCALL SYS_CLOSE
    MOV r1, r5
    SYSCALL SYS_CLOSE
    LI r1, out
    LI r2, O_READ
    SYSCALL SYS_OPEN          ; 1 again
    MOV r1, r0
    LI r2, buffer
    LI r3, 1500
    SYSCALL SYS_READ
    MOV r7, r0                ; 1024: the cap
    LI r1, 1
    SYSCALL SYS_CLOSE
    LI r1, 2
    SYSCALL SYS_DUP           ; the console again as 1
    MOV r1, r4
    CALL putn
    MOV r1, r5
    CALL putn
    MOV r1, r6
    CALL putn
    MOV r1, r7
    CALL putn
    LI r1, 0
    SYSCALL SYS_EXIT
out: .stringz "/out"
tail: .string "!"
buffer: .fill 1500, 'x'
)");
    CHECK(run.output == "1 3 1024 1024 ");
    auto store = store_of(run.machine->vram());
    CHECK(store_problems(store) == "");
    CHECK(text_of(read_store_file(store, "/out")) == "-42!" + std::string(1024, 'x'));
}

TEST_CASE("a file the host put in is read by a program, and what it writes the host reads back", "[os][fs][cli]")
{
    ScratchDirectory scratch;
    scratch.write("copy.yaml", "metadata: {vram_width: 512, vram_height: 1024}\nsteps:\n  - step: init_background\n"
                               "  - step: layout_regions\n  - step: write_isa_palette\n  - step: install_kernel\n"
                               "  - step: format_store\n  - step: add_file\n    params: {path: /in, text: \"abc\\n\"}\n"
                               "  - step: add_process\n    params: {program_file: copy.pxasm}\n");
    scratch.write("copy.pxasm", R"(
main:
    LI r1, in
    LI r2, O_READ
    SYSCALL SYS_OPEN
    MOV r1, r0
    LI r2, buffer + 6
    LI r3, 64
    SYSCALL SYS_READ
    ADDI r5, r0, 6            ; "copy: " and what was read
    LI r1, out
    LI r2, O_WRITE + O_CREATE
    SYSCALL SYS_OPEN
    MOV r1, r0
    LI r2, buffer
    MOV r3, r5
    SYSCALL SYS_WRITE
    LI r1, 0
    SYSCALL SYS_EXIT
in: .stringz "/in"
out: .stringz "/d/out"
buffer: .string "copy: "
    .fill 64, 0
)");
    REQUIRE(run_pxos("build copy.yaml -q -o copy.png", scratch.path()).exit_code == 0);
    REQUIRE(run_pxos("fs copy.png mkdir /d", scratch.path()).exit_code == 0);
    auto ran = run_pxos("run copy.png -q --out after.png", scratch.path());
    CHECK(ran.exit_code == 0);
    auto cat = run_pxos("fs after.png cat /d/out", scratch.path());
    CHECK(cat.exit_code == 0);
    CHECK(cat.out == "copy: abc\n");
    auto check = run_pxos("fs after.png check", scratch.path());
    CHECK(check.exit_code == 0);
    CHECK(check.out == "after.png: store is clean: 2 files, 2 directories, 18 of 256 blocks used\n");
}
