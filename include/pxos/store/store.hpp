// The file store on the host side: the format of abi/store.hpp read and
// written on a copy of the store's words (the boot header's STORE_BASE and
// STORE_WORDS). What `pxos fs` and the format_store / add_file steps use;
// the kernel (roadmaps/kernel/fs.pxasm) writes the same format in pxasm.
//
// Every operation works on a std::vector of the store's words: a caller
// reads them out of the image (read_store), changes them and writes them
// back (write_store), so a failed operation leaves the image as it was.
// Nothing here trusts the words: every block and inode number, size and
// count is checked before it is used, and every loop is bounded by the
// store's size, so a hostile image gives an error, never a crash.
#pragma once

#include "pxos/abi/os.hpp"
#include "pxos/abi/store.hpp"
#include "pxos/base/diagnostic.hpp"
#include "pxos/image/vram.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pxos::store {

inline constexpr std::uint32_t kBlockWords = std::uint32_t(abi::store::BLOCK_WORDS);
inline constexpr std::uint32_t kInodeWords = std::uint32_t(abi::store::INODE_WORDS);
inline constexpr std::uint32_t kDirentWords = std::uint32_t(abi::store::DIRENT_WORDS);
inline constexpr std::uint32_t kDirect = std::uint32_t(abi::store::DIRECT);
inline constexpr std::uint32_t kRootInode = std::uint32_t(abi::store::ROOT_INODE);
inline constexpr std::uint32_t kNameMax = std::uint32_t(abi::os_limit("NAME_MAX"));
inline constexpr std::uint32_t kPathMax = std::uint32_t(abi::os_limit("PATH_MAX"));
// Blocks one file can have: the direct ones, then the indirect block's.
inline constexpr std::uint32_t kMaxFileBlocks = kDirect + kBlockWords;
inline constexpr std::uint64_t kMaxFileWords = std::uint64_t(kMaxFileBlocks) * kBlockWords;
inline constexpr std::uint32_t kTypeFree = std::uint32_t(abi::FileType::FREE);
inline constexpr std::uint32_t kTypeDir = std::uint32_t(abi::FileType::DIR);
inline constexpr std::uint32_t kTypeFile = std::uint32_t(abi::FileType::FILE);

constexpr int sb(abi::store::Superblock field) { return int(field); }
constexpr int ino(abi::store::Inode field) { return int(field); }

// The store of an image: where its word 0 is, and a copy of its words.
struct StoreWords {
    std::uint32_t base = 0;
    std::vector<std::uint32_t> words;
};
// The store region named by the image's boot header; an error naming the
// header word when the image has no store (STORE_BASE 0) or no header.
Result<StoreWords> read_store(const SimulatedVRAM& vram, const std::string& image_name);
// Writes back the words that differ from the image's (through write_pixel,
// so a build's observer and write budget see them).
Result<void> write_store(SimulatedVRAM& vram, const StoreWords& store);

// The superblock's layout, as read and checked.
struct Superblock {
    std::uint32_t blocks = 0;
    std::uint32_t log_start = 0;
    std::uint32_t log_blocks = 0;
    std::uint32_t log_count = 0;
    std::uint32_t map_start = 0;
    std::uint32_t map_blocks = 0;
    std::uint32_t inode_start = 0;
    std::uint32_t inode_blocks = 0;
    std::uint32_t inodes = 0;
    std::uint32_t data_start = 0;
    std::uint32_t log_capacity() const { return log_blocks * kBlockWords / std::uint32_t(abi::store::LOG_ENTRY_WORDS); }
    std::uint32_t inode_word(std::uint32_t inode) const { return inode_start * kBlockWords + inode * kInodeWords; }
};
// Reads block 0 and checks every word of it: magic, version, the regions in
// order (superblock, log, map, inodes, data) inside the store's words, the
// map big enough for the blocks, SB_INODES matching SB_INODE_BLOCKS, the log
// count inside the log. `where` prefixes the error ("out.png: store").
Result<Superblock> read_superblock(std::span<const std::uint32_t> words, const std::string& where);

struct FormatOptions {
    std::uint32_t log_blocks = 8;
    std::uint32_t inode_blocks = 4;
};
// mkfs: clears the store and writes the superblock, the block map (the
// metadata blocks and the root's block used), and the root directory
// (inode STORE_ROOT_INODE, with `.` and `..` naming itself).
Result<void> format(std::vector<std::uint32_t>& words, const FormatOptions& options, const std::string& where);

// Recovery: when SB_LOG_COUNT is not 0, puts the logged old values back,
// newest first, and clears the count. Every entry is checked before any
// word changes. Returns the entries undone (0: nothing was cut off).
Result<std::uint32_t> recover(std::vector<std::uint32_t>& words, const std::string& where);

struct DirEntry {
    std::string name;
    std::uint32_t inode = 0;
    std::uint32_t type = 0;
    std::uint32_t links = 0;
    std::uint32_t size = 0;
};

enum class Parents { Required, Create };

// Operations on a store whose superblock is good and whose log is empty
// (open refuses one with SB_LOG_COUNT != 0: recover it first). Paths are
// absolute, with `/` between names of at most OS_NAME_MAX characters.
class Store {
public:
    static Result<Store> open(std::vector<std::uint32_t>& words, std::string where);

    const Superblock& superblock() const { return m_superblock; }
    // The inode a path names.
    Result<std::uint32_t> lookup(std::string_view path) const;
    Result<DirEntry> stat(std::string_view path) const;
    // A directory's entries in order (`.` and `..` included), or a file's
    // own entry (as `ls FILE` shows it).
    Result<std::vector<DirEntry>> list(std::string_view path) const;
    Result<std::vector<std::uint32_t>> read_file(std::string_view path) const;
    // Creates the file or replaces its words.
    Result<void> write_file(std::string_view path, std::span<const std::uint32_t> data, Parents parents);
    Result<void> make_directory(std::string_view path, Parents parents);
    // Removes a file, or an empty directory; frees its blocks and inode
    // when no name is left.
    Result<void> unlink(std::string_view path);
    // Blocks and inodes in use.
    std::uint32_t used_blocks() const;
    std::uint32_t used_inodes() const;

private:
    Store(std::vector<std::uint32_t>& words, std::string where, Superblock superblock);

    struct Parent {
        std::uint32_t directory = 0;
        std::string name;
    };
    Result<std::vector<std::string>> split(std::string_view path) const;
    Result<std::uint32_t> walk(std::string_view path, std::span<const std::string> names) const;
    Result<Parent> parent_of(std::string_view path, Parents parents);
    Result<std::uint32_t> find_entry(std::uint32_t directory, std::string_view name, std::string_view path) const;
    Result<std::uint32_t> block_of(std::uint32_t inode, std::uint32_t index) const;
    Result<std::vector<std::uint32_t>> read_inode(std::uint32_t inode, std::string_view path) const;
    Result<void> write_inode_data(std::uint32_t inode, std::span<const std::uint32_t> data, std::string_view path);
    Result<void> free_data(std::uint32_t inode);
    Result<std::uint32_t> allocate_block(std::string_view path);
    Result<std::uint32_t> allocate_inode(std::uint32_t type, std::string_view path);
    Result<void> add_entry(std::uint32_t directory, std::string_view name, std::uint32_t inode, std::string_view path);
    Result<std::uint32_t> create_directory(std::uint32_t parent, std::string_view name, std::string_view path);
    std::uint32_t& inode_word(std::uint32_t inode, abi::store::Inode field);
    std::uint32_t inode_word(std::uint32_t inode, abi::store::Inode field) const;
    Error error(std::string_view path, std::string message) const;

    std::vector<std::uint32_t>* m_words;
    std::string m_where;
    Superblock m_superblock;
};

// A directory entry's name, from its OS_NAME_MAX words (0-padded).
std::string entry_name(std::span<const std::uint32_t> entry);

// fsck. Checks a copy of the store's words (recovered first when a call was
// cut off) and names every inconsistency with its place.
struct Problem {
    std::string place;   // "superblock word 0 (SB_MAGIC)", "inode 5 (/a.txt)", "block 40", "/d: entry 3"
    std::string message; // what is wrong, with the values found and expected
    std::string line() const { return place + ": " + message; }
};
struct CheckReport {
    std::vector<std::string> notes; // not problems: "SB_LOG_COUNT is 3: ..., checked as recovered"
    std::vector<Problem> problems;
    std::uint32_t blocks = 0;
    std::uint32_t used_blocks = 0;
    std::uint32_t inodes = 0;
    std::uint32_t files = 0;
    std::uint32_t directories = 0;
    bool clean() const { return problems.empty(); }
};
CheckReport check(std::span<const std::uint32_t> words);

} // namespace pxos::store
