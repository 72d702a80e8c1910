// What pxOS's system calls say besides their numbers (syscalls.hpp): ONE
// table each of the error codes (ERR_*), the open flags (O_*), the words of
// a stat record (STAT_*), the types of an open file (T_*) and the kernel's
// limits (OS_*: descriptors per process, words per read or write, ...).
// Kernel code and user programs name them by these pxasm symbols; the
// tables of docs/OS.md are generated from here (`pxos abi --markdown`).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace pxos::abi {

// X(symbol, value, doc): pxasm sees ERR_<symbol> = value (negative).
#define PXOS_ERRORS(X)                                                                                                \
    X(FAIL, -1, "the call failed (no more specific code)")                                                            \
    X(BADF, -2, "the descriptor is not open (or not open for this: reading a write-only file)")                       \
    X(FAULT, -3, "a pointer or length lies outside the caller's memory")                                              \
    X(NOENT, -4, "no such file or directory")                                                                         \
    X(EXIST, -5, "the name exists already")                                                                           \
    X(NOTDIR, -6, "a path component, or the descriptor, is not a directory")                                         \
    X(ISDIR, -7, "the file is a directory (writing it, linking it)")                                                 \
    X(NOSPC, -8, "the store is full (no free block or inode)")                                                        \
    X(MFILE, -9, "too many open files in this process (OS_OPEN_MAX)")                                                \
    X(NFILE, -10, "the kernel's open file table or pipe table is full")                                               \
    X(PIPE, -11, "writing a pipe whose read end is closed everywhere")                                                \
    X(NOEXEC, -12, "the file is not a program (no PXEX header, or a damaged one)")                                   \
    X(INVAL, -13, "an argument is out of range (flags, offset, count)")                                              \
    X(NOTEMPTY, -14, "the directory is not empty")                                                                     \
    X(SRCH, -15, "no such process")                                                                                   \
    X(NOMEM, -16, "no free process slot, or the program, heap or arguments do not fit its memory")                  \
    X(NAMETOOLONG, -17, "a path component is longer than OS_NAME_MAX, or the path longer than OS_PATH_MAX")           \
    X(NOSYS, -18, "the kernel does not implement this call")

struct ErrorInfo {
    std::string_view symbol;
    std::int32_t value;
    std::string_view doc;
};
inline constexpr std::array kErrors {
#define PXOS_ERROR_INFO(symbol, value, doc) ErrorInfo { #symbol, value, doc },
    PXOS_ERRORS(PXOS_ERROR_INFO)
#undef PXOS_ERROR_INFO
};

// X(symbol, value, doc): pxasm sees O_<symbol> = value; flags combine with OR.
#define PXOS_OPEN_FLAGS(X)                                                                                            \
    X(READ, 1, "open for reading")                                                                                    \
    X(WRITE, 2, "open for writing")                                                                                   \
    X(CREATE, 4, "create the file when it does not exist")                                                           \
    X(TRUNC, 8, "empty the file first (with O_WRITE)")                                                               \
    X(APPEND, 16, "every write goes to the end of the file")

// X(symbol, value, doc): pxasm sees T_<symbol> = value: an inode's type in
// the store, and STAT_TYPE of an open file.
#define PXOS_FILE_TYPES(X)                                                                                            \
    X(FREE, 0, "a free inode (never an open file)")                                                                   \
    X(DIR, 1, "a directory")                                                                                          \
    X(FILE, 2, "a file of words")                                                                                     \
    X(CONSOLE, 3, "the console (descriptors 0, 1, 2 at first)")                                                       \
    X(PIPE, 4, "one end of a pipe")

// X(symbol, word, doc): pxasm sees STAT_<symbol> = word; STAT_WORDS words.
#define PXOS_STAT_FIELDS(X)                                                                                           \
    X(TYPE, 0, "T_* of the open file")                                                                                \
    X(INODE, 1, "its inode number (0 for the console and pipes)")                                                    \
    X(LINKS, 2, "names it has (directory entries)")                                                                   \
    X(SIZE, 3, "its size in words (for a pipe: the words waiting in it)")

// X(symbol, value, doc): pxasm sees OS_<symbol> = value.
#define PXOS_OS_LIMITS(X)                                                                                             \
    X(OPEN_MAX, 16, "descriptors per process (0..15)")                                                                \
    X(IO_MAX, 1024, "words one read or write moves at most (a longer one returns a short count)")                   \
    X(NAME_MAX, 15, "characters in a file name")                                                                      \
    X(PATH_MAX, 128, "characters in a path")                                                                          \
    X(ARG_MAX, 16, "arguments of spawn and exec (argv entries)")                                                      \
    X(ARG_WORDS, 512, "words all the arguments take together, strings and pointers")                                 \
    X(FILE_SLOTS, 64, "open files in the kernel's table, all processes together")                                   \
    X(PIPE_SLOTS, 8, "pipes open at once")                                                                            \
    X(PIPE_WORDS, 512, "words a pipe holds")                                                                          \
    X(STACK_WORDS, 512, "stack of a process started from a program file (the top of its partition)")

struct NamedValue {
    std::string_view symbol;
    std::int64_t value;
    std::string_view doc;
};
inline constexpr std::array kOpenFlags {
#define PXOS_NAMED_VALUE(symbol, value, doc) NamedValue { #symbol, value, doc },
    PXOS_OPEN_FLAGS(PXOS_NAMED_VALUE)
};
inline constexpr std::array kFileTypes { PXOS_FILE_TYPES(PXOS_NAMED_VALUE) };
inline constexpr std::array kStatFields { PXOS_STAT_FIELDS(PXOS_NAMED_VALUE) };
inline constexpr std::array kOsLimits { PXOS_OS_LIMITS(PXOS_NAMED_VALUE) };
#undef PXOS_NAMED_VALUE
inline constexpr int kStatWords = int(kStatFields.size());

enum class OsError : std::int32_t {
#define PXOS_ERROR_ENUM(symbol, value, doc) symbol = value,
    PXOS_ERRORS(PXOS_ERROR_ENUM)
#undef PXOS_ERROR_ENUM
};
enum class FileType : std::uint32_t {
#define PXOS_TYPE_ENUM(symbol, value, doc) symbol = value,
    PXOS_FILE_TYPES(PXOS_TYPE_ENUM)
#undef PXOS_TYPE_ENUM
};

constexpr std::int64_t os_limit(std::string_view symbol)
{
    for (const NamedValue& entry : kOsLimits)
        if (entry.symbol == symbol)
            return entry.value;
    return -1;
}

} // namespace pxos::abi
