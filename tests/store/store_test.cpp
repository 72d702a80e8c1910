// The host's file store (pxos/store): format, files and directories, the
// undo log's recovery, and the fsck finding each kind of damage, made on
// purpose, by its whole message.
#include "pxos/store/store.hpp"

#include <catch2/catch.hpp>

#include <random>

namespace {

using pxos::store::Parents;
using pxos::store::Store;
using Field = pxos::abi::store::Inode;
namespace store = pxos::store;

constexpr std::uint32_t kBlocks = 256;
constexpr std::uint32_t kInodeBase = 10 * 512; // the default format: inodes from block 10
constexpr std::uint32_t kMap = 9 * 512;        // the block map is block 9

std::vector<std::uint32_t> text_words(std::string_view text)
{
    return std::vector<std::uint32_t>(text.begin(), text.end());
}

std::vector<std::uint32_t> formatted()
{
    std::vector<std::uint32_t> words(kBlocks * 512, 0xdeadbeef);
    auto done = store::format(words, {}, "test");
    REQUIRE(done.ok());
    return words;
}

Store open(std::vector<std::uint32_t>& words)
{
    auto opened = Store::open(words, "s.png");
    if (!opened)
        FAIL(opened.error().message());
    return std::move(*opened);
}

// A store with /a (text "hi": inode 2, block 15), /d (inode 3, block 16)
// and /d/f (600 words: inode 4, blocks 17 and 18).
std::vector<std::uint32_t> sample()
{
    std::vector<std::uint32_t> words = formatted();
    Store fs = open(words);
    REQUIRE(fs.write_file("/a", text_words("hi"), Parents::Required).ok());
    REQUIRE(fs.make_directory("/d", Parents::Required).ok());
    REQUIRE(fs.write_file("/d/f", std::vector<std::uint32_t>(600, 7), Parents::Required).ok());
    return words;
}

std::uint32_t& inode(std::vector<std::uint32_t>& words, std::uint32_t n, Field field)
{
    return words[kInodeBase + n * 16 + std::uint32_t(field)];
}
std::uint32_t& direct(std::vector<std::uint32_t>& words, std::uint32_t n, std::uint32_t index)
{
    return words[kInodeBase + n * 16 + std::uint32_t(Field::DIRECT) + index];
}
// Word w of directory entry e of a directory whose first block is `block`.
std::uint32_t& entry(std::vector<std::uint32_t>& words, std::uint32_t block, std::uint32_t e, std::uint32_t w)
{
    return words[block * 512 + e * 16 + w];
}

std::vector<std::string> problems(const std::vector<std::uint32_t>& words)
{
    std::vector<std::string> lines;
    for (const store::Problem& problem : store::check(words).problems)
        lines.push_back(problem.line());
    return lines;
}

using Lines = std::vector<std::string>;

} // namespace

TEST_CASE("a freshly formatted store checks clean and holds an empty root", "[store]")
{
    std::vector<std::uint32_t> words = formatted();
    store::CheckReport report = store::check(words);
    CHECK(report.problems.empty());
    CHECK(report.notes.empty());
    CHECK(report.directories == 1);
    CHECK(report.files == 0);
    CHECK(report.used_blocks == 15); // superblock, 8 log, 1 map, 4 inode blocks, the root's
    Store fs = open(words);
    auto listed = fs.list("/");
    REQUIRE(listed.ok());
    REQUIRE(listed->size() == 2);
    CHECK((*listed)[0].name == ".");
    CHECK((*listed)[1].name == "..");
    CHECK((*listed)[1].inode == store::kRootInode);
    CHECK(fs.superblock().data_start == 14);
    CHECK(fs.superblock().inodes == 128);
}

TEST_CASE("format refuses options that leave no data block", "[store]")
{
    std::vector<std::uint32_t> words(16 * 512, 0);
    store::FormatOptions options;
    options.log_blocks = 10;
    options.inode_blocks = 4;
    auto done = store::format(words, options, "s.png");
    REQUIRE(!done.ok());
    CHECK(done.error().message()
        == "s.png: error: 10 log blocks and 4 inode blocks leave no data block in the store's 16 blocks");
}

TEST_CASE("files round-trip through the store, big ones through the indirect block", "[store]")
{
    std::vector<std::uint32_t> words = formatted();
    Store fs = open(words);
    std::vector<std::uint32_t> big(512 * 13 + 5);
    for (std::size_t i = 0; i < big.size(); ++i)
        big[i] = std::uint32_t(i * 2654435761u);
    REQUIRE(fs.write_file("/big", big, Parents::Required).ok());
    REQUIRE(fs.write_file("/t", text_words("hello\n"), Parents::Required).ok());
    CHECK(fs.read_file("/big").value() == big);
    CHECK(fs.read_file("/t").value() == text_words("hello\n"));
    auto info = fs.stat("/big");
    CHECK(info->size == big.size());
    CHECK(inode(words, info->inode, Field::INDIRECT) != 0);
    CHECK(problems(words) == Lines {});
    // Replacing frees the old blocks: the used count goes back.
    std::uint32_t used = fs.used_blocks();
    REQUIRE(fs.write_file("/big", text_words("small"), Parents::Required).ok());
    CHECK(fs.read_file("/big").value() == text_words("small"));
    CHECK(fs.used_blocks() == used - 14);
    CHECK(inode(words, info->inode, Field::INDIRECT) == 0);
    CHECK(problems(words) == Lines {});
}

TEST_CASE("mkdir, ls and rm keep the store consistent", "[store]")
{
    std::vector<std::uint32_t> words = formatted();
    Store fs = open(words);
    REQUIRE(fs.make_directory("/d", Parents::Required).ok());
    REQUIRE(fs.write_file("/d/e/f", text_words("x"), Parents::Create).ok());
    auto listed = fs.list("/d");
    REQUIRE(listed.ok());
    std::vector<std::string> names;
    for (const store::DirEntry& e : *listed)
        names.push_back(e.name);
    CHECK(names == Lines { ".", "..", "e" });
    CHECK(fs.list("/d/e/f")->front().name == "f");
    CHECK(fs.read_file("/d/../d/./e/f").value() == text_words("x"));
    CHECK(problems(words) == Lines {});

    CHECK(fs.unlink("/d").error().message() == "s.png:/d: error: the directory is not empty");
    CHECK(fs.make_directory("/d", Parents::Required).error().message() == "s.png:/d: error: exists already");
    CHECK(fs.write_file("/x/y", {}, Parents::Required).error().message()
        == "s.png:/x/y: error: no directory 'x' in its parent");
    CHECK(fs.read_file("/d").error().message() == "s.png:/d: error: is a directory, not a file");
    CHECK(fs.read_file("d").error().message()
        == "s.png:d: error: not an absolute path (store paths start with '/')");
    CHECK(fs.read_file("/abcdefghijklmnop").error().message()
        == "s.png:/abcdefghijklmnop: error: 'abcdefghijklmnop' is 16 characters, longer than OS_NAME_MAX 15");
    CHECK(fs.unlink("/").error().message() == "s.png:/: error: is the root directory");
    CHECK(fs.unlink("/d/..").error().message() == "s.png:/d/..: error: '..' cannot be created or removed");

    std::uint32_t used = fs.used_blocks();
    REQUIRE(fs.unlink("/d/e/f").ok());
    REQUIRE(fs.unlink("/d/e").ok());
    REQUIRE(fs.unlink("/d").ok());
    CHECK(fs.read_file("/d/e/f").error().message() == "s.png:/d/e/f: error: no such file or directory");
    CHECK(fs.used_blocks() == used - 3);
    CHECK(fs.used_inodes() == 1);
    CHECK(problems(words) == Lines {});
}

TEST_CASE("a full store says so and the copy is left for the caller to drop", "[store]")
{
    std::vector<std::uint32_t> words = formatted();
    Store fs = open(words);
    auto written = fs.write_file("/huge", std::vector<std::uint32_t>(250 * 512, 1), Parents::Required);
    REQUIRE(!written.ok());
    CHECK(written.error().message() == "s.png:/huge: error: the store is full: all 242 data blocks are used");
}

TEST_CASE("recovery rolls a cut-off call back, newest entry first", "[store]")
{
    std::vector<std::uint32_t> words = sample();
    std::vector<std::uint32_t> before = words;
    // A call that changed /a's first word twice and its size, logging each old value.
    std::uint32_t data = 15 * 512;
    std::uint32_t log = 512;
    auto change = [&](std::uint32_t offset, std::uint32_t value) {
        std::uint32_t n = words[5];
        words[log + 2 * n] = offset;
        words[log + 2 * n + 1] = words[offset];
        words[5] = n + 1;
        words[offset] = value;
    };
    change(data, 'X');
    change(data, 'Y');
    change(kInodeBase + 2 * 16 + std::uint32_t(Field::SIZE), 99);
    REQUIRE(words != before);
    store::CheckReport report = store::check(words);
    CHECK(report.notes
        == Lines { "SB_LOG_COUNT is 3: a system call was cut off; checked the store as recovery leaves it (3 undo "
                   "entries rolled back)" });
    CHECK(report.problems.empty());
    CHECK(Store::open(words, "s.png").error().message()
        == "s.png: superblock word 5 (SB_LOG_COUNT): error: is 3: a system call was cut off; recover the store first");
    auto undone = store::recover(words, "s.png");
    REQUIRE(undone.ok());
    CHECK(*undone == 3);
    // The log's words stay (they are dead once the count is 0); the rest is as before.
    for (std::uint32_t i = 0; i < 6; ++i)
        words[log + i] = before[log + i];
    CHECK(words == before);
}

TEST_CASE("recovery refuses a log entry outside the store before changing anything", "[store]")
{
    std::vector<std::uint32_t> words = sample();
    words[5] = 2;
    words[512] = 15 * 512;
    words[513] = 'Z';
    words[514] = 999999;
    words[515] = 0;
    std::vector<std::uint32_t> before = words;
    auto undone = store::recover(words, "s.png");
    REQUIRE(!undone.ok());
    CHECK(undone.error().message()
        == "s.png: log entry 1 (block 1 word 2): error: names store word 999999, outside the store's 131072 words");
    CHECK(words == before);
    CHECK(problems(words)
        == Lines { "log entry 1 (block 1 word 2): names store word 999999, outside the store's 131072 words (the "
                   "log cannot be recovered)" });
    words[514] = 5;
    CHECK(problems(words)
        == Lines { "log entry 1 (block 1 word 2): names store word 5, which is the log's own (SB_LOG_COUNT or the "
                   "log blocks) (the log cannot be recovered)" });
}

TEST_CASE("check names every kind of damage with its place", "[store][check]")
{
    std::vector<std::uint32_t> words = sample();
    REQUIRE(problems(words) == Lines {});

    SECTION("no store: a bad magic")
    {
        words[0] = 0;
        CHECK(problems(words)
            == Lines { "superblock word 0 (SB_MAGIC): is 0x00000000, not STORE_MAGIC 0x53465850: the store is not "
                       "formatted (run the format_store step)" });
    }
    SECTION("a superblock whose regions do not follow each other")
    {
        words[8] = 11;
        CHECK(problems(words)
            == Lines { "superblock word 8 (SB_INODE_START): is 11, expected 10 (the inodes follow the block map)" });
    }
    SECTION("a log count beyond the log")
    {
        words[5] = 5000;
        CHECK(problems(words)
            == Lines { "superblock word 5 (SB_LOG_COUNT): is 5000, but the 8 log blocks hold 2048 entries" });
    }
    SECTION("a block marked used that nothing references")
    {
        words[kMap + 100] = 1;
        CHECK(problems(words) == Lines { "block 100: is marked used but no inode references it" });
    }
    SECTION("a block referenced but marked free")
    {
        words[kMap + 15] = 0;
        CHECK(problems(words) == Lines { "block 15: is marked free but inode 2 (/a) direct block 0 references it" });
    }
    SECTION("a metadata block marked free")
    {
        words[kMap + 3] = 0;
        CHECK(problems(words)
            == Lines { "block 3: is a metadata block (superblock, log, map or inodes) but the map marks it free" });
    }
    SECTION("a block map word that is neither 0 nor 1, and one past the store's blocks")
    {
        words[kMap + 200] = 7;
        words[kMap + 300] = 1;
        CHECK(problems(words)
            == Lines { "block map word 200: is 7, expected 0 (free) or 1 (used)",
                "block map word 300: is 1, but the store has only 256 blocks (expected 0)" });
    }
    SECTION("a block referenced twice")
    {
        direct(words, 4, 1) = 15;
        CHECK(problems(words)
            == Lines { "block 15: is referenced 2 times: by inode 2 (/a) direct block 0, and by inode 4 (/d/f) direct "
                       "block 1",
                "block 18: is marked used but no inode references it" });
    }
    SECTION("block pointers out of range")
    {
        direct(words, 2, 0) = 300;
        direct(words, 4, 1) = 3;
        CHECK(problems(words)
            == Lines { "inode 2 (/a): direct block 0 is block 300, outside the data blocks 14..255",
                "inode 4 (/d/f): direct block 1 is block 3, outside the data blocks 14..255",
                "block 15: is marked used but no inode references it",
                "block 18: is marked used but no inode references it" });
    }
    SECTION("an inode of no type")
    {
        inode(words, 2, Field::TYPE) = 7;
        CHECK(problems(words)
            == Lines { "/: entry 2 'a': names inode 2, which is not in use (type 7)",
                "inode 2: type 7 is not T_FREE, T_DIR or T_FILE",
                "block 15: is marked used but no inode references it" });
    }
    SECTION("a link count that is not the number of names")
    {
        inode(words, 2, Field::LINKS) = 2;
        inode(words, 1, Field::LINKS) = 0;
        CHECK(problems(words)
            == Lines { "inode 1 (/): links is 0, expected 1 for the root (the store names it)",
                "inode 2 (/a): links is 2, but 1 directory entry names it" });
    }
    SECTION("a size that needs more blocks than the inode has")
    {
        inode(words, 4, Field::SIZE) = 2000;
        CHECK(problems(words)
            == Lines { "inode 4 (/d/f): direct block 2 is 0, but size 2000 needs 4 blocks",
                "inode 4 (/d/f): direct block 3 is 0, but size 2000 needs 4 blocks" });
    }
    SECTION("a block beyond the size")
    {
        inode(words, 4, Field::SIZE) = 100;
        CHECK(problems(words) == Lines { "inode 4 (/d/f): direct block 1 is block 18, beyond size 100 (1 blocks)" });
    }
    SECTION("a directory size that is not whole entries")
    {
        inode(words, 3, Field::SIZE) = 40;
        CHECK(problems(words)
            == Lines { "inode 3 (/d): directory size 40 is not a whole number of 16-word entries (at least 2)",
                // Its entry 2 (words 32..47) is cut off by the size, so /d/f has no name.
                "inode 4: is in use (T_FILE, links 1, size 600) but no directory reaches it" });
    }
    SECTION("a directory without '.'")
    {
        entry(words, 16, 0, 0) = 0;
        CHECK(problems(words) == Lines { "/d: the directory has no '.' entry" });
    }
    SECTION("a wrong '..'")
    {
        entry(words, 16, 1, 0) = 3;
        CHECK(problems(words) == Lines { "/d: entry 1 '..': names inode 3, not the parent directory (inode 1)" });
    }
    SECTION("a '.' naming another directory")
    {
        entry(words, 16, 0, 0) = 1;
        CHECK(problems(words) == Lines { "/d: entry 0 '.': names inode 1, not the directory itself (inode 3)" });
    }
    SECTION("an entry naming a free inode, which leaves the file unreachable")
    {
        entry(words, 14, 2, 0) = 50;
        CHECK(problems(words)
            == Lines { "/: entry 2 'a': names inode 50, which is not in use (type T_FREE)",
                "inode 2: is in use (T_FILE, links 1, size 2) but no directory reaches it" });
    }
    SECTION("an entry naming an inode past the table")
    {
        entry(words, 14, 2, 0) = 500;
        CHECK(problems(words)
            == Lines { "/: entry 2 'a': names inode 500, outside the store's 128 inodes",
                "inode 2: is in use (T_FILE, links 1, size 2) but no directory reaches it" });
    }
    SECTION("an empty name")
    {
        entry(words, 14, 2, 1) = 0;
        CHECK(problems(words)
            == Lines { "/: entry 2: the name is empty",
                "inode 2: is in use (T_FILE, links 1, size 2) but no directory reaches it" });
    }
    SECTION("a name that is not printable")
    {
        entry(words, 16, 2, 1) = 7;
        CHECK(problems(words)
            == Lines { "/d: entry 2: name character 0 is 7: not printable ASCII (or a space, or '/')",
                "inode 4: is in use (T_FILE, links 1, size 600) but no directory reaches it" });
    }
    SECTION("a name that is not 0-padded")
    {
        entry(words, 14, 2, 3) = 'z'; // "a", 0, "z"
        CHECK(problems(words)
            == Lines { "/: entry 2: name word 2 is 122 after the name's end (names are 0-padded)",
                "inode 2: is in use (T_FILE, links 1, size 2) but no directory reaches it" });
    }
    SECTION("a name twice in one directory")
    {
        entry(words, 14, 3, 1) = 'a'; // /d renamed 'a'
        CHECK(problems(words)
            == Lines { "/: entry 3 'a': the name appears twice in the directory",
                "inode 3: is in use (T_DIR, links 1, size 48) but no directory reaches it",
                "inode 4: is in use (T_FILE, links 1, size 600) but no directory reaches it" });
    }
    SECTION("an inode in use that no directory reaches")
    {
        inode(words, 60, Field::TYPE) = store::kTypeFile;
        inode(words, 60, Field::LINKS) = 1;
        CHECK(problems(words) == Lines { "inode 60: is in use (T_FILE, links 1, size 0) but no directory reaches it" });
    }
    SECTION("a free inode that is not all 0, and inode 0 in use")
    {
        inode(words, 70, Field::SIZE) = 5;
        inode(words, 0, Field::TYPE) = store::kTypeFile;
        CHECK(problems(words)
            == Lines { "inode 0: inode 0 is never used but word 0 is 2 (a free inode is all 0)",
                "inode 70: free but word 2 is 5 (a free inode is all 0)" });
    }
    SECTION("a directory with two names")
    {
        // /d/f's entry now names /d itself: a loop the walk must not follow.
        entry(words, 16, 2, 0) = 3;
        CHECK(problems(words)
            == Lines { "inode 3 (/d): links is 1, but 2 directory entries name it",
                "inode 3 (/d): is a directory with 2 names (a directory has one)",
                "inode 4: is in use (T_FILE, links 1, size 600) but no directory reaches it" });
    }
    SECTION("an indirect block where none is needed, and one out of range")
    {
        inode(words, 2, Field::INDIRECT) = 100;
        words[kMap + 100] = 1;
        CHECK(problems(words) == Lines { "inode 2 (/a): has indirect block 100, but size 2 needs only 1 blocks" });
        inode(words, 2, Field::INDIRECT) = 900;
        CHECK(problems(words)
            == Lines { "inode 2 (/a): the indirect block is 900, outside the data blocks 14..255",
                "block 100: is marked used but no inode references it" });
    }
}

TEST_CASE("a hostile store never crashes check nor the operations", "[store][check]")
{
    std::mt19937 random(14);
    std::vector<std::uint32_t> good = sample();
    {
        Store fs = open(good);
        REQUIRE(fs.write_file("/big", std::vector<std::uint32_t>(512 * 12, 3), Parents::Required).ok());
    }
    int damaged = 0;
    for (int round = 0; round < 300; ++round) {
        std::vector<std::uint32_t> words = good;
        int changes = 1 + int(random() % 8);
        for (int i = 0; i < changes; ++i) {
            // Mostly metadata and the first data blocks, where the structure is.
            std::uint32_t at = random() % 2 ? random() % (20 * 512) : random() % std::uint32_t(words.size());
            std::uint32_t value = random() % 3 == 0 ? random() : random() % 300;
            words[at] = value;
        }
        store::CheckReport report = store::check(words);
        damaged += !report.clean();
        if (auto opened = Store::open(words, "s.png")) {
            (void)opened->list("/");
            (void)opened->read_file("/big");
            (void)opened->read_file("/d/f");
            (void)opened->write_file("/d/new", text_words("n"), Parents::Create);
            (void)opened->unlink("/a");
        }
    }
    CHECK(damaged > 50);
}
