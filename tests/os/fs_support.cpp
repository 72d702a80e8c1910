#include "fs_support.hpp"

#include "pxos/abi/boot_header.hpp"
#include "pxos/abi/os.hpp"
#include "pxos/abi/store.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <map>
#include <set>

namespace pxos::test {

namespace {

namespace st = abi::store;
constexpr std::uint32_t kBlock = std::uint32_t(st::BLOCK_WORDS);

std::uint32_t sb(const std::vector<std::uint32_t>& store, st::Superblock field) { return store[std::size_t(field)]; }
std::uint32_t inode_word(const std::vector<std::uint32_t>& store, std::uint32_t inode, st::Inode field)
{
    return store[sb(store, st::Superblock::INODE_START) * kBlock + inode * std::uint32_t(st::INODE_WORDS)
        + std::uint32_t(field)];
}

// The blocks of an inode, in file order (0 for a hole); the indirect
// block itself in `indirect`.
std::vector<std::uint32_t> inode_blocks(
    const std::vector<std::uint32_t>& store, std::uint32_t inode, std::uint32_t* indirect = nullptr)
{
    std::vector<std::uint32_t> blocks;
    for (int i = 0; i < st::DIRECT; ++i)
        blocks.push_back(inode_word(store, inode, st::Inode(int(st::Inode::DIRECT) + i)));
    std::uint32_t ind = inode_word(store, inode, st::Inode::INDIRECT);
    if (indirect)
        *indirect = ind;
    if (ind != 0 && ind < sb(store, st::Superblock::BLOCKS))
        for (std::uint32_t i = 0; i < kBlock; ++i)
            blocks.push_back(store[ind * kBlock + i]);
    return blocks;
}

std::vector<std::uint32_t> file_words(const std::vector<std::uint32_t>& store, std::uint32_t inode)
{
    std::uint32_t size = inode_word(store, inode, st::Inode::SIZE);
    std::vector<std::uint32_t> blocks = inode_blocks(store, inode);
    std::vector<std::uint32_t> words;
    for (std::uint32_t i = 0; i < size && i / kBlock < blocks.size(); ++i) {
        std::uint32_t block = blocks[i / kBlock];
        words.push_back(block == 0 ? 0 : store[block * kBlock + i % kBlock]);
    }
    return words;
}

std::string entry_name(const std::vector<std::uint32_t>& words, std::size_t entry)
{
    std::string name;
    for (int i = 0; i < abi::os_limit("NAME_MAX"); ++i) {
        std::uint32_t c = words[entry + std::size_t(st::Dirent::NAME) + std::size_t(i)];
        if (c == 0)
            break;
        name += char(c);
    }
    return name;
}

} // namespace

const char* const kFsTestLibrary = R"(
; ---- the test library
puts:
    MOV r2, r1
    LI r3, 0
puts_count:
    LOADX r0, r2, r3
    JZ r0, puts_write
    ADDI r3, r3, 1
    JMP puts_count
puts_write:
    LI r1, 1
    SYSCALL SYS_WRITE
    RET
putn:
    SYSCALL SYS_PRINT_INT
    LI r1, 1
    LI r2, lib_space
    LI r3, 1
    SYSCALL SYS_WRITE
    RET
newline:
    LI r1, 1
    LI r2, lib_newline
    LI r3, 1
    SYSCALL SYS_WRITE
    RET
lib_space: .string " "
lib_newline: .string "\n"
)";

SimulatedVRAM build_fs_image(const std::vector<std::string>& sources)
{
    std::string yaml = "metadata: {vram_width: 512, vram_height: 1024}\nsteps:\n  - step: init_background\n"
                       "  - step: layout_regions\n  - step: write_isa_palette\n"
                       "  - step: install_kernel\n    params:\n      kernel_file: '"
        + source_path("roadmaps/kernel.pxasm") + "'\n      quantum: 1000\n";
    for (const std::string& source : sources) {
        yaml += "  - step: add_process\n    params:\n      memory_rows: 8\n      program_source: |\n";
        std::string text = source + kFsTestLibrary;
        std::size_t start = 0;
        while (start < text.size()) {
            std::size_t end = text.find('\n', start);
            if (end == std::string::npos)
                end = text.size();
            yaml += "        " + text.substr(start, end - start) + "\n";
            start = end + 1;
        }
    }
    SimulatedVRAM vram = build_roadmap_text(yaml).vram;

    // The default format of store.hpp: superblock, 8 log blocks, the block
    // map, 4 inode blocks (128 inodes), the root directory's block, data.
    auto header = read_header(vram, "fs.png");
    REQUIRE(header.ok());
    REQUIRE(header->store_base != 0);
    std::uint32_t* store = vram.mutable_words() + header->store_base;
    std::uint32_t blocks = header->store_words / kBlock;
    std::fill(store, store + header->store_words, 0u);
    auto set_sb = [&](st::Superblock field, std::uint32_t value) { store[std::size_t(field)] = value; };
    set_sb(st::Superblock::MAGIC, std::uint32_t(st::MAGIC));
    set_sb(st::Superblock::VERSION, std::uint32_t(st::VERSION));
    set_sb(st::Superblock::BLOCKS, blocks);
    set_sb(st::Superblock::LOG_START, 1);
    set_sb(st::Superblock::LOG_BLOCKS, 8);
    set_sb(st::Superblock::MAP_START, 9);
    set_sb(st::Superblock::MAP_BLOCKS, 1);
    set_sb(st::Superblock::INODE_START, 10);
    set_sb(st::Superblock::INODE_BLOCKS, 4);
    set_sb(st::Superblock::INODES, 4 * kBlock / std::uint32_t(st::INODE_WORDS));
    set_sb(st::Superblock::DATA_START, 14);
    constexpr std::uint32_t root_block = 14;
    for (std::uint32_t b = 0; b <= root_block; ++b)
        store[9 * kBlock + b] = 1;
    std::uint32_t* root = store + 10 * kBlock + std::uint32_t(st::ROOT_INODE) * std::uint32_t(st::INODE_WORDS);
    root[int(st::Inode::TYPE)] = std::uint32_t(abi::FileType::DIR);
    root[int(st::Inode::LINKS)] = 1;
    root[int(st::Inode::SIZE)] = 2 * std::uint32_t(st::DIRENT_WORDS);
    root[int(st::Inode::DIRECT)] = root_block;
    std::uint32_t* entries = store + root_block * kBlock;
    for (int e = 0; e < 2; ++e) {
        std::uint32_t* entry = entries + e * st::DIRENT_WORDS;
        entry[int(st::Dirent::INODE)] = std::uint32_t(st::ROOT_INODE);
        entry[int(st::Dirent::NAME)] = '.';
        if (e == 1)
            entry[int(st::Dirent::NAME) + 1] = '.';
    }
    return vram;
}

std::vector<std::uint32_t> store_of(const SimulatedVRAM& vram)
{
    auto header = read_header(vram, "fs.png");
    REQUIRE(header.ok());
    const std::uint32_t* words = vram.words() + header->store_base;
    return std::vector<std::uint32_t>(words, words + header->store_words);
}

void undo_store(std::vector<std::uint32_t>& store)
{
    std::uint32_t count = sb(store, st::Superblock::LOG_COUNT);
    std::uint32_t log = sb(store, st::Superblock::LOG_START) * kBlock;
    for (std::uint32_t i = count; i-- > 0;) {
        std::uint32_t offset = store[log + 2 * i];
        REQUIRE(offset < store.size());
        store[offset] = store[log + 2 * i + 1];
    }
    store[std::size_t(st::Superblock::LOG_COUNT)] = 0;
}

std::string store_problems(const std::vector<std::uint32_t>& store)
{
    std::string problems;
    auto problem = [&](const std::string& text) { problems += text + "\n"; };
    if (sb(store, st::Superblock::LOG_COUNT) != 0)
        problem(fmt::format("the log holds {} entries", sb(store, st::Superblock::LOG_COUNT)));
    const std::uint32_t blocks = sb(store, st::Superblock::BLOCKS);
    const std::uint32_t data_start = sb(store, st::Superblock::DATA_START);
    const std::uint32_t inodes = sb(store, st::Superblock::INODES);
    const std::uint32_t map = sb(store, st::Superblock::MAP_START) * kBlock;
    std::map<std::uint32_t, std::uint32_t> owner; // block -> inode
    std::map<std::uint32_t, int> names;           // inode -> entries naming it
    std::set<std::uint32_t> reachable { std::uint32_t(st::ROOT_INODE) };
    std::vector<std::uint32_t> to_visit { std::uint32_t(st::ROOT_INODE) };
    auto claim = [&](std::uint32_t block, std::uint32_t inode) {
        if (block < data_start || block >= blocks)
            return problem(fmt::format("inode {} names block {}, not a data block", inode, block));
        if (owner.count(block))
            problem(fmt::format("block {} is named by inodes {} and {}", block, owner[block], inode));
        owner[block] = inode;
        if (store[map + block] != 1)
            problem(fmt::format("block {} of inode {} is free in the map", block, inode));
    };
    for (std::uint32_t inode = 1; inode < inodes; ++inode) {
        std::uint32_t type = inode_word(store, inode, st::Inode::TYPE);
        if (type == std::uint32_t(abi::FileType::FREE))
            continue;
        std::uint32_t indirect = 0;
        std::vector<std::uint32_t> file_blocks = inode_blocks(store, inode, &indirect);
        if (indirect != 0)
            claim(indirect, inode);
        for (std::uint32_t block : file_blocks)
            if (block != 0)
                claim(block, inode);
        std::uint32_t size = inode_word(store, inode, st::Inode::SIZE);
        if ((size + kBlock - 1) / kBlock > file_blocks.size())
            problem(fmt::format("inode {} is {} words, more than its blocks", inode, size));
    }
    for (std::uint32_t block = data_start; block < blocks; ++block)
        if (store[map + block] == 1 && !owner.count(block))
            problem(fmt::format("block {} is used in the map but named by no inode", block));
    while (!to_visit.empty()) {
        std::uint32_t dir = to_visit.back();
        to_visit.pop_back();
        std::vector<std::uint32_t> words = file_words(store, dir);
        if (words.size() % std::size_t(st::DIRENT_WORDS) != 0)
            problem(fmt::format("directory {} is {} words, not whole entries", dir, words.size()));
        for (std::size_t e = 0; e + std::size_t(st::DIRENT_WORDS) <= words.size(); e += std::size_t(st::DIRENT_WORDS)) {
            std::uint32_t inode = words[e];
            if (inode == 0)
                continue;
            std::string name = entry_name(words, e);
            if (inode >= inodes || inode_word(store, inode, st::Inode::TYPE) == 0) {
                problem(fmt::format("directory {} entry '{}' names free inode {}", dir, name, inode));
                continue;
            }
            if (name == "." || name == "..")
                continue;
            ++names[inode];
            if (reachable.insert(inode).second
                && inode_word(store, inode, st::Inode::TYPE) == std::uint32_t(abi::FileType::DIR))
                to_visit.push_back(inode);
        }
    }
    for (std::uint32_t inode = 1; inode < inodes; ++inode) {
        std::uint32_t type = inode_word(store, inode, st::Inode::TYPE);
        if (type == 0)
            continue;
        if (!reachable.count(inode))
            problem(fmt::format("inode {} is used but in no directory", inode));
        std::uint32_t links = inode_word(store, inode, st::Inode::LINKS);
        int expected = inode == std::uint32_t(st::ROOT_INODE) ? int(links) : names[inode];
        if (int(links) != expected)
            problem(fmt::format("inode {} has {} links, {} names", inode, links, expected));
    }
    return problems;
}

std::vector<std::uint32_t> read_store_file(const std::vector<std::uint32_t>& store, const std::string& path, bool* found)
{
    std::uint32_t inode = std::uint32_t(st::ROOT_INODE);
    std::size_t start = 1;
    if (found)
        *found = false;
    while (start <= path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string::npos)
            end = path.size();
        std::string component = path.substr(start, end - start);
        start = end + 1;
        if (component.empty())
            continue;
        std::vector<std::uint32_t> words = file_words(store, inode);
        std::uint32_t next = 0;
        for (std::size_t e = 0; e + std::size_t(st::DIRENT_WORDS) <= words.size(); e += std::size_t(st::DIRENT_WORDS))
            if (words[e] != 0 && entry_name(words, e) == component)
                next = words[e];
        if (next == 0)
            return {};
        inode = next;
    }
    if (found)
        *found = true;
    return file_words(store, inode);
}

FsRun run_fs_image(SimulatedVRAM vram, std::uint64_t max_steps, const std::string& input)
{
    auto machine = Machine::boot(std::move(vram), "fs.png");
    if (!machine.ok())
        FAIL(machine.error().message());
    (*machine)->set_input(input);
    FsRun run;
    run.result = (*machine)->run(max_steps);
    run.output = (*machine)->console_output();
    run.processes = (*machine)->processes();
    run.machine = std::move(*machine);
    return run;
}

} // namespace pxos::test
