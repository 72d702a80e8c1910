// The store region of an image, the superblock, mkfs and recovery.
#include "pxos/store/store.hpp"

#include "pxos/abi/boot_header.hpp"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>

namespace pxos::store {

namespace {

// "out.png: store: superblock word 0 (SB_MAGIC)", or the place alone.
std::string prefixed(const std::string& where, std::string place)
{
    return where.empty() ? place : where + ": " + place;
}

} // namespace

using SuperblockField = abi::store::Superblock;

Result<StoreWords> read_store(const SimulatedVRAM& vram, const std::string& image_name)
{
    auto header = read_header(vram, image_name);
    if (!header)
        return std::move(header).error();
    std::string place = fmt::format("{}@({},{})", image_name, int(isa::HeaderField::StoreBase), isa::kHeaderRow);
    if (header->store_base == 0)
        return Error::bad_input(place, "the image has no file store (header STORE_BASE is 0; pxOS images of at "
                                       "least 512x1024 have one)");
    if (header->store_words < kBlockWords)
        return Error::bad_input(place, fmt::format("the file store's {} words (header STORE_WORDS) hold no "
                                                   "{}-word block",
                                           header->store_words, kBlockWords));
    // read_header checked that STORE_BASE + STORE_WORDS lies inside the image.
    StoreWords store;
    store.base = header->store_base;
    const std::uint32_t* begin = vram.words() + header->store_base;
    store.words.assign(begin, begin + header->store_words);
    return store;
}

Result<void> write_store(SimulatedVRAM& vram, const StoreWords& store)
{
    const std::uint32_t* current = vram.words();
    std::uint64_t width = std::uint64_t(vram.width());
    if (std::uint64_t(store.base) + store.words.size() > vram.pixel_count())
        return Error::internal("write_store: the store lies outside the image");
    // Only the words that differ are written (and observed); a step
    // changes a few blocks of a store of hundreds of thousands of words, so
    // equal runs are skipped a block at a time first.
    constexpr std::size_t kRun = 256;
    const std::uint32_t* wanted = store.words.data();
    for (std::size_t begin = 0; begin < store.words.size(); begin += kRun) {
        std::size_t end = std::min(begin + kRun, store.words.size());
        if (std::memcmp(current + store.base + begin, wanted + begin, (end - begin) * sizeof(std::uint32_t)) == 0)
            continue;
        for (std::size_t i = begin; i < end; ++i) {
            std::uint64_t address = store.base + i;
            if (current[address] == wanted[i])
                continue;
            PXOS_TRY(vram.write_pixel(int(address % width), int(address / width), RGBA::from_word(wanted[i])));
        }
    }
    return {};
}

Result<store::Superblock> read_superblock(std::span<const std::uint32_t> words, const std::string& where)
{
    auto field_place = [&](SuperblockField field, std::string_view symbol) {
        return prefixed(where, fmt::format("superblock word {} (SB_{})", int(field), symbol));
    };
#define PXOS_SB(symbol) field_place(SuperblockField::symbol, #symbol)
    if (words.size() < kBlockWords)
        return Error::bad_input(where, fmt::format("{} words hold no superblock", words.size()));
    auto word = [&](SuperblockField field) { return words[std::size_t(field)]; };
    if (word(SuperblockField::MAGIC) != std::uint32_t(abi::store::MAGIC))
        return Error::bad_input(PXOS_SB(MAGIC),
            fmt::format("is {:#010x}, not STORE_MAGIC {:#010x}: the store is not formatted (run the format_store step)",
                word(SuperblockField::MAGIC), std::uint32_t(abi::store::MAGIC)));
    if (word(SuperblockField::VERSION) != std::uint32_t(abi::store::VERSION))
        return Error::bad_input(PXOS_SB(VERSION), fmt::format("is {}, not STORE_VERSION {}",
                                                      word(SuperblockField::VERSION), abi::store::VERSION));
    store::Superblock sb;
    sb.blocks = word(SuperblockField::BLOCKS);
    sb.log_start = word(SuperblockField::LOG_START);
    sb.log_blocks = word(SuperblockField::LOG_BLOCKS);
    sb.log_count = word(SuperblockField::LOG_COUNT);
    sb.map_start = word(SuperblockField::MAP_START);
    sb.map_blocks = word(SuperblockField::MAP_BLOCKS);
    sb.inode_start = word(SuperblockField::INODE_START);
    sb.inode_blocks = word(SuperblockField::INODE_BLOCKS);
    sb.inodes = word(SuperblockField::INODES);
    sb.data_start = word(SuperblockField::DATA_START);
    std::uint64_t store_blocks = words.size() / kBlockWords;
    if (sb.blocks == 0 || sb.blocks > store_blocks)
        return Error::bad_input(PXOS_SB(BLOCKS), fmt::format("is {}, but the store's {} words hold 1..{} blocks",
                                                     sb.blocks, words.size(), store_blocks));
    // The regions follow each other: superblock, log, map, inodes, data.
    auto expect = [&](SuperblockField field, std::string_view symbol, std::uint64_t found, std::uint64_t expected,
                      std::string_view why) -> Result<void> {
        if (found != expected)
            return Error::bad_input(field_place(field, symbol), fmt::format("is {}, expected {} ({})", found, expected, why));
        return {};
    };
    PXOS_TRY(expect(SuperblockField::LOG_START, "LOG_START", sb.log_start, 1, "the log follows the superblock"));
    if (sb.log_blocks == 0 || sb.log_blocks >= sb.blocks)
        return Error::bad_input(PXOS_SB(LOG_BLOCKS), fmt::format("is {}, expected 1..{}", sb.log_blocks, sb.blocks - 1));
    PXOS_TRY(expect(SuperblockField::MAP_START, "MAP_START", sb.map_start, std::uint64_t(sb.log_start) + sb.log_blocks,
        "the block map follows the log"));
    std::uint64_t map_blocks = (std::uint64_t(sb.blocks) + kBlockWords - 1) / kBlockWords;
    PXOS_TRY(expect(SuperblockField::MAP_BLOCKS, "MAP_BLOCKS", sb.map_blocks, map_blocks,
        fmt::format("one word for each of the {} blocks", sb.blocks)));
    PXOS_TRY(expect(SuperblockField::INODE_START, "INODE_START", sb.inode_start,
        std::uint64_t(sb.map_start) + sb.map_blocks, "the inodes follow the block map"));
    if (sb.inode_blocks == 0 || std::uint64_t(sb.inode_start) + sb.inode_blocks >= sb.blocks)
        return Error::bad_input(PXOS_SB(INODE_BLOCKS), fmt::format("is {}, expected 1..{} (data blocks must remain)",
                                                          sb.inode_blocks,
                                                          sb.blocks > sb.inode_start + 1 ? sb.blocks - sb.inode_start - 1 : 0));
    PXOS_TRY(expect(SuperblockField::INODES, "INODES", sb.inodes,
        std::uint64_t(sb.inode_blocks) * kBlockWords / kInodeWords, "SB_INODE_BLOCKS * STORE_BLOCK_WORDS / STORE_INODE_WORDS"));
    PXOS_TRY(expect(SuperblockField::DATA_START, "DATA_START", sb.data_start,
        std::uint64_t(sb.inode_start) + sb.inode_blocks, "the data blocks follow the inodes"));
    if (sb.log_count > sb.log_capacity())
        return Error::bad_input(PXOS_SB(LOG_COUNT), fmt::format("is {}, but the {} log blocks hold {} entries",
                                                        sb.log_count, sb.log_blocks, sb.log_capacity()));
    for (std::uint32_t i = std::uint32_t(abi::store::kSuperblockWords); i < kBlockWords; ++i)
        if (words[i] != 0)
            return Error::bad_input(prefixed(where, fmt::format("superblock word {}", i)),
                fmt::format("is {:#x}, expected 0 (the superblock has {} words)", words[i],
                    abi::store::kSuperblockWords));
#undef PXOS_SB
    return sb;
}

Result<void> format(std::vector<std::uint32_t>& words, const FormatOptions& options, const std::string& where)
{
    std::uint64_t blocks = words.size() / kBlockWords;
    std::uint64_t map_blocks = (blocks + kBlockWords - 1) / kBlockWords;
    std::uint64_t data_start = 1 + std::uint64_t(options.log_blocks) + map_blocks + options.inode_blocks;
    if (options.log_blocks == 0 || options.inode_blocks == 0)
        return Error::bad_input(where, "the store needs at least one log block and one inode block");
    if (data_start + 1 > blocks)
        return Error::bad_input(where, fmt::format("{} log blocks and {} inode blocks leave no data block in the "
                                                   "store's {} blocks",
                                           options.log_blocks, options.inode_blocks, blocks));
    std::fill(words.begin(), words.end(), 0);
    auto set = [&](SuperblockField field, std::uint64_t value) { words[std::size_t(field)] = std::uint32_t(value); };
    set(SuperblockField::MAGIC, std::uint32_t(abi::store::MAGIC));
    set(SuperblockField::VERSION, std::uint32_t(abi::store::VERSION));
    set(SuperblockField::BLOCKS, blocks);
    set(SuperblockField::LOG_START, 1);
    set(SuperblockField::LOG_BLOCKS, options.log_blocks);
    set(SuperblockField::LOG_COUNT, 0);
    set(SuperblockField::MAP_START, 1 + options.log_blocks);
    set(SuperblockField::MAP_BLOCKS, map_blocks);
    set(SuperblockField::INODE_START, 1 + options.log_blocks + map_blocks);
    set(SuperblockField::INODE_BLOCKS, options.inode_blocks);
    set(SuperblockField::INODES, std::uint64_t(options.inode_blocks) * kBlockWords / kInodeWords);
    set(SuperblockField::DATA_START, data_start);
    std::uint64_t map = (1 + std::uint64_t(options.log_blocks)) * kBlockWords;
    for (std::uint64_t b = 0; b <= data_start; ++b) // the metadata and the root's block
        words[map + b] = 1;
    std::uint64_t root = (1 + options.log_blocks + map_blocks) * kBlockWords + std::uint64_t(kRootInode) * kInodeWords;
    words[root + ino(abi::store::Inode::TYPE)] = kTypeDir;
    words[root + ino(abi::store::Inode::LINKS)] = 1;
    words[root + ino(abi::store::Inode::SIZE)] = 2 * kDirentWords;
    words[root + ino(abi::store::Inode::DIRECT)] = std::uint32_t(data_start);
    std::uint64_t entries = data_start * kBlockWords;
    words[entries] = kRootInode;
    words[entries + 1] = '.';
    words[entries + kDirentWords] = kRootInode;
    words[entries + kDirentWords + 1] = '.';
    words[entries + kDirentWords + 2] = '.';
    return {};
}

Result<std::uint32_t> recover(std::vector<std::uint32_t>& words, const std::string& where)
{
    auto sb = read_superblock(words, where);
    if (!sb)
        return std::move(sb).error();
    std::uint64_t log = std::uint64_t(sb->log_start) * kBlockWords;
    std::uint64_t log_end = log + std::uint64_t(sb->log_blocks) * kBlockWords;
    std::uint64_t store_words = std::uint64_t(sb->blocks) * kBlockWords;
    for (std::uint32_t i = 0; i < sb->log_count; ++i) {
        std::uint32_t offset = words[log + std::uint64_t(i) * abi::store::LOG_ENTRY_WORDS];
        std::string place = prefixed(where, fmt::format("log entry {} (block {} word {})", i,
            sb->log_start + i * abi::store::LOG_ENTRY_WORDS / kBlockWords, i * abi::store::LOG_ENTRY_WORDS % kBlockWords));
        if (offset >= store_words)
            return Error::bad_input(place, fmt::format("names store word {}, outside the store's {} words", offset,
                                               store_words));
        // A call never logs the superblock (only SB_LOG_COUNT changes, and
        // it is the commit) nor the log itself.
        if (offset < kBlockWords || (offset >= log && offset < log_end))
            return Error::bad_input(place, fmt::format("names store word {}, in the superblock or the log, which "
                                                       "are never logged",
                                               offset));
    }
    for (std::uint32_t i = sb->log_count; i > 0; --i) {
        std::uint64_t entry = log + std::uint64_t(i - 1) * abi::store::LOG_ENTRY_WORDS;
        words[words[entry]] = words[entry + 1];
    }
    words[std::size_t(SuperblockField::LOG_COUNT)] = 0;
    return sb->log_count;
}

} // namespace pxos::store
