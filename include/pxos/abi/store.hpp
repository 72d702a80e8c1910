// The file store's format: how a store region of the image (the boot
// header's STORE_BASE and STORE_WORDS) holds directories and files of
// words. ONE table each of the superblock's words (SB_*), an inode's words
// (INODE_*) and a directory entry's (DIRENT_*), plus the format's constants
// (STORE_*). The kernel's pxasm (roadmaps/kernel/fs.pxasm), the host's
// store library (`pxos fs`, the add_file step) and docs/OS.md all use
// these; neither side spells a number of its own.
//
// The store is blocks of STORE_BLOCK_WORDS words: block 0 the superblock,
// then the undo log, the block map (one word per block: 1 used, 0 free),
// the inodes, and the data blocks. Crash consistency comes from the undo
// log: before the kernel changes a word of the store during a system call
// it appends (word offset, old value) to the log and then bumps
// SB_LOG_COUNT; the call's last store write sets SB_LOG_COUNT to 0 (the
// commit, one word). A store whose SB_LOG_COUNT is not 0 was cut off inside
// a call: recovery puts the old values back, newest first, then clears the
// count, which leaves the store as it was after the last complete call.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace pxos::abi {

// X(symbol, value, doc): pxasm sees STORE_<symbol> = value.
#define PXOS_STORE_CONSTANTS(X)                                                                                       \
    X(MAGIC, 0x53465850, "superblock magic `PXFS` (the pixel (80,88,70,83))")                                         \
    X(VERSION, 1, "store format version")                                                                            \
    X(BLOCK_WORDS, 512, "words per block (one row of a 512-wide image)")                                              \
    X(INODE_WORDS, 16, "words per inode")                                                                             \
    X(DIRECT, 11, "direct block numbers in an inode")                                                                 \
    X(DIRENT_WORDS, 16, "words per directory entry")                                                                  \
    X(LOG_ENTRY_WORDS, 2, "words per undo log entry: store word offset, old value")                                  \
    X(ROOT_INODE, 1, "the root directory's inode (inode 0 is never used)")

// X(symbol, word, doc): pxasm sees SB_<symbol> = word of block 0.
#define PXOS_SUPERBLOCK_FIELDS(X)                                                                                     \
    X(MAGIC, 0, "STORE_MAGIC")                                                                                        \
    X(VERSION, 1, "STORE_VERSION")                                                                                    \
    X(BLOCKS, 2, "blocks in the store")                                                                               \
    X(LOG_START, 3, "first block of the undo log")                                                                    \
    X(LOG_BLOCKS, 4, "blocks of the undo log")                                                                        \
    X(LOG_COUNT, 5, "undo entries of the system call in progress; 0: the store is consistent")                        \
    X(MAP_START, 6, "first block of the block map (word b: 1 if block b is used)")                                   \
    X(MAP_BLOCKS, 7, "blocks of the block map")                                                                       \
    X(INODE_START, 8, "first block of the inodes")                                                                    \
    X(INODE_BLOCKS, 9, "blocks of the inodes")                                                                        \
    X(INODES, 10, "inodes (INODE_BLOCKS * STORE_BLOCK_WORDS / STORE_INODE_WORDS)")                                   \
    X(DATA_START, 11, "first data block")

// X(symbol, word, doc): pxasm sees INODE_<symbol> = word of an inode.
#define PXOS_INODE_FIELDS(X)                                                                                          \
    X(TYPE, 0, "T_FREE, T_DIR or T_FILE")                                                                              \
    X(LINKS, 1, "directory entries that name it (a directory: its entry in the parent; `.` and `..` do not count)")  \
    X(SIZE, 2, "size in words")                                                                                       \
    X(RESERVED, 3, "0")                                                                                               \
    X(DIRECT, 4, "STORE_DIRECT block numbers (0: none) for words 0.. of the file")                                   \
    X(INDIRECT, 15, "a block of STORE_BLOCK_WORDS more block numbers (0: none)")

// X(symbol, word, doc): pxasm sees DIRENT_<symbol> = word of an entry.
#define PXOS_DIRENT_FIELDS(X)                                                                                         \
    X(INODE, 0, "the inode it names (0: a free entry)")                                                               \
    X(NAME, 1, "the name, one character per word, 0-padded (OS_NAME_MAX = 15, no 0 needed at 15)")

struct StoreField {
    std::string_view symbol;
    std::int64_t value;
    std::string_view doc;
};
#define PXOS_STORE_FIELD(symbol, value, doc) StoreField { #symbol, value, doc },
inline constexpr std::array kStoreConstants { PXOS_STORE_CONSTANTS(PXOS_STORE_FIELD) };
inline constexpr std::array kSuperblockFields { PXOS_SUPERBLOCK_FIELDS(PXOS_STORE_FIELD) };
inline constexpr std::array kInodeFields { PXOS_INODE_FIELDS(PXOS_STORE_FIELD) };
inline constexpr std::array kDirentFields { PXOS_DIRENT_FIELDS(PXOS_STORE_FIELD) };
#undef PXOS_STORE_FIELD

namespace store {
#define PXOS_STORE_ENUM(symbol, value, doc) symbol = value,
enum Constant : std::int64_t { PXOS_STORE_CONSTANTS(PXOS_STORE_ENUM) };
enum class Superblock : int { PXOS_SUPERBLOCK_FIELDS(PXOS_STORE_ENUM) };
enum class Inode : int { PXOS_INODE_FIELDS(PXOS_STORE_ENUM) };
enum class Dirent : int { PXOS_DIRENT_FIELDS(PXOS_STORE_ENUM) };
#undef PXOS_STORE_ENUM
inline constexpr int kSuperblockWords = 12;
static_assert(int(Superblock::DATA_START) + 1 == kSuperblockWords);
static_assert(int(Inode::INDIRECT) == int(Inode::DIRECT) + DIRECT && int(Inode::INDIRECT) + 1 == INODE_WORDS,
    "PXOS_INODE_FIELDS: the direct blocks fill the inode up to the indirect one");
static_assert(int(Dirent::NAME) + 15 == DIRENT_WORDS, "a name takes the rest of the entry (OS_NAME_MAX words)");
} // namespace store

} // namespace pxos::abi
