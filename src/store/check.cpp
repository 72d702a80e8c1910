// fsck: every inconsistency of a store, each named with its place. It reads
// a copy (recovered first when a call was cut off) and trusts nothing: every
// number is checked against the superblock before it is used, every loop
// runs over the store's own blocks, inodes or entries, and the directory
// walk visits each inode at most once.
#include "pxos/store/store.hpp"

#include <algorithm>
#include <deque>
#include <fmt/format.h>
#include <map>
#include <set>

namespace pxos::store {

namespace {

using Field = abi::store::Inode;

std::string type_name(std::uint32_t type)
{
    switch (type) {
    case kTypeFree: return "T_FREE";
    case kTypeDir: return "T_DIR";
    case kTypeFile: return "T_FILE";
    default: return std::to_string(type);
    }
}

// Who references a block: "inode 5 (/a) direct 0".
struct Reference {
    std::uint32_t inode = 0;
    std::string slot;
};

class Checker {
public:
    Checker(std::vector<std::uint32_t>& words, const Superblock& sb, CheckReport& report)
        : m_words(words)
        , m_sb(sb)
        , m_report(report)
        , m_references(sb.blocks)
        , m_names(sb.inodes, 0)
        , m_parent(sb.inodes, 0)
        , m_path(sb.inodes)
        , m_valid_dir(sb.inodes, false)
    {
    }

    void run()
    {
        walk_directories(); // first, so that later messages can name paths
        check_inodes();
        check_block_map();
        check_links();
    }

private:
    std::uint32_t inode_word(std::uint32_t inode, Field field) const
    {
        return m_words[m_sb.inode_word(inode) + std::uint32_t(field)];
    }
    std::string inode_place(std::uint32_t inode) const
    {
        if (inode < m_path.size() && !m_path[inode].empty())
            return fmt::format("inode {} ({})", inode, m_path[inode]);
        return fmt::format("inode {}", inode);
    }
    void problem(std::string place, std::string message)
    {
        m_report.problems.push_back(Problem { std::move(place), std::move(message) });
    }
    bool in_data(std::uint32_t block) const { return block >= m_sb.data_start && block < m_sb.blocks; }
    std::uint32_t type_of(std::uint32_t inode) const { return inode_word(inode, Field::TYPE); }
    bool in_use(std::uint32_t inode) const
    {
        std::uint32_t type = type_of(inode);
        return inode != 0 && (type == kTypeDir || type == kTypeFile);
    }

    // The file's data blocks by index, 0 where a pointer is missing or out
    // of range (check_inodes reports those).
    std::vector<std::uint32_t> blocks_of(std::uint32_t inode) const
    {
        std::vector<std::uint32_t> blocks;
        std::uint64_t size = std::min<std::uint64_t>(inode_word(inode, Field::SIZE), kMaxFileWords);
        std::uint32_t count = std::uint32_t((size + kBlockWords - 1) / kBlockWords);
        std::uint32_t indirect = inode_word(inode, Field::INDIRECT);
        for (std::uint32_t index = 0; index < count; ++index) {
            std::uint32_t block = 0;
            if (index < kDirect)
                block = inode_word(inode, Field(int(Field::DIRECT) + int(index)));
            else if (in_data(indirect))
                block = m_words[std::size_t(indirect) * kBlockWords + (index - kDirect)];
            blocks.push_back(in_data(block) ? block : 0);
        }
        return blocks;
    }

    // A directory's words as far as its blocks are good.
    std::vector<std::uint32_t> directory_words(std::uint32_t inode) const
    {
        std::vector<std::uint32_t> words;
        std::uint64_t size = std::min<std::uint64_t>(inode_word(inode, Field::SIZE), kMaxFileWords);
        for (std::uint32_t block : blocks_of(inode)) {
            if (block == 0)
                break;
            std::size_t count = std::min<std::uint64_t>(kBlockWords, size - words.size());
            words.insert(words.end(), m_words.begin() + std::ptrdiff_t(block) * kBlockWords,
                m_words.begin() + std::ptrdiff_t(block) * kBlockWords + std::ptrdiff_t(count));
        }
        return words;
    }

    void walk_directories()
    {
        if (m_sb.inodes <= kRootInode || type_of(kRootInode) != kTypeDir) {
            problem(inode_place(kRootInode),
                fmt::format("the root directory has type {}, expected T_DIR", type_name(type_of(kRootInode))));
            return;
        }
        m_path[kRootInode] = "/";
        m_parent[kRootInode] = kRootInode;
        std::vector<bool> visited(m_sb.inodes, false);
        std::deque<std::uint32_t> todo { kRootInode };
        visited[kRootInode] = true;
        while (!todo.empty()) { // each inode enters once: at most SB_INODES rounds
            std::uint32_t dir = todo.front();
            todo.pop_front();
            m_valid_dir[dir] = true;
            for (std::uint32_t child : check_directory(dir))
                if (!visited[child]) {
                    visited[child] = true;
                    todo.push_back(child);
                }
        }
    }

    std::string child_path(std::uint32_t dir, const std::string& name) const
    {
        return m_path[dir] == "/" ? "/" + name : m_path[dir] + "/" + name;
    }

    // Checks one directory's entries; returns the directories it names.
    std::vector<std::uint32_t> check_directory(std::uint32_t dir)
    {
        std::vector<std::uint32_t> children;
        std::vector<std::uint32_t> words = directory_words(dir);
        const std::string& path = m_path[dir];
        std::set<std::string> seen;
        bool has_dot = false, has_dotdot = false;
        for (std::size_t at = 0; at + kDirentWords <= words.size(); at += kDirentWords) {
            std::span<const std::uint32_t> entry(words.data() + at, kDirentWords);
            std::string place = fmt::format("{}: entry {}", path, at / kDirentWords);
            std::uint32_t target = entry[std::size_t(abi::store::Dirent::INODE)];
            if (target == 0)
                continue;
            std::optional<std::string> bad = bad_name(entry);
            std::string name = entry_name(entry);
            if (bad) {
                problem(place, *bad);
                continue;
            }
            place = fmt::format("{}: entry {} '{}'", path, at / kDirentWords, name);
            if (!seen.insert(name).second) {
                problem(place, "the name appears twice in the directory");
                continue;
            }
            if (target >= m_sb.inodes) {
                problem(place, fmt::format("names inode {}, outside the store's {} inodes", target, m_sb.inodes));
                continue;
            }
            if (!in_use(target)) {
                problem(place, fmt::format("names inode {}, which is not in use (type {})", target,
                                   type_name(type_of(target))));
                continue;
            }
            if (name == ".") {
                has_dot = true;
                if (target != dir)
                    problem(place, fmt::format("names inode {}, not the directory itself (inode {})", target, dir));
                continue;
            }
            if (name == "..") {
                has_dotdot = true;
                if (target != m_parent[dir])
                    problem(place, fmt::format("names inode {}, not the parent directory (inode {}{})", target,
                                       m_parent[dir], m_parent[dir] == dir ? ": the root is its own parent" : ""));
                continue;
            }
            ++m_names[target];
            if (m_path[target].empty())
                m_path[target] = child_path(dir, name);
            if (type_of(target) == kTypeDir) {
                if (m_parent[target] == 0) {
                    m_parent[target] = dir;
                    children.push_back(target);
                }
            }
        }
        if (!has_dot)
            problem(path, "the directory has no '.' entry");
        if (!has_dotdot)
            problem(path, "the directory has no '..' entry");
        return children;
    }

    // Why an entry's name is bad, or nullopt.
    static std::optional<std::string> bad_name(std::span<const std::uint32_t> entry)
    {
        std::span<const std::uint32_t> name = entry.subspan(std::size_t(abi::store::Dirent::NAME), kNameMax);
        if (name[0] == 0)
            return std::string("the name is empty");
        bool ended = false;
        for (std::size_t i = 0; i < name.size(); ++i) {
            std::uint32_t c = name[i];
            if (ended) {
                if (c != 0)
                    return fmt::format("name word {} is {} after the name's end (names are 0-padded)", i, c);
                continue;
            }
            if (c == 0) {
                ended = true;
                continue;
            }
            if (c < 0x21 || c > 0x7e || c == '/')
                return fmt::format("name character {} is {}: not printable ASCII (or a space, or '/')", i, c);
        }
        return std::nullopt;
    }

    void reference(std::uint32_t block, std::uint32_t inode, std::string slot)
    {
        m_references[block].push_back(Reference { inode, std::move(slot) });
    }

    void check_inodes()
    {
        for (std::uint32_t n = 0; n < m_sb.inodes; ++n) {
            std::uint32_t type = type_of(n);
            std::string place = inode_place(n);
            if (n == 0 || type == kTypeFree) {
                for (std::uint32_t w = 0; w < kInodeWords; ++w)
                    if (m_words[m_sb.inode_word(n) + w] != 0) {
                        problem(place, fmt::format("{} but word {} is {} (a free inode is all 0)",
                                           n == 0 ? "inode 0 is never used" : "free", w,
                                           m_words[m_sb.inode_word(n) + w]));
                        break;
                    }
                continue;
            }
            if (type != kTypeDir && type != kTypeFile) {
                problem(place, fmt::format("type {} is not T_FREE, T_DIR or T_FILE", type));
                continue;
            }
            if (inode_word(n, Field::RESERVED) != 0)
                problem(place, fmt::format("word {} (INODE_RESERVED) is {}, expected 0", int(Field::RESERVED),
                                   inode_word(n, Field::RESERVED)));
            check_inode_blocks(n, place);
        }
    }

    void check_inode_blocks(std::uint32_t n, const std::string& place)
    {
        std::uint32_t size = inode_word(n, Field::SIZE);
        if (size > kMaxFileWords) {
            problem(place, fmt::format("size {} is more than a file holds ({} words)", size, kMaxFileWords));
        }
        if (type_of(n) == kTypeDir && (size % kDirentWords != 0 || size < 2 * kDirentWords))
            problem(place, fmt::format("directory size {} is not a whole number of {}-word entries (at least 2)", size,
                               kDirentWords));
        std::uint64_t needed = (std::min<std::uint64_t>(size, kMaxFileWords) + kBlockWords - 1) / kBlockWords;
        auto pointer = [&](std::uint32_t index, std::uint32_t block, const std::string& slot) {
            if (block == 0) {
                if (index < needed)
                    problem(place, fmt::format("{} is 0, but size {} needs {} blocks", slot, size, needed));
                return;
            }
            if (index >= needed) {
                problem(place, fmt::format("{} is block {}, beyond size {} ({} blocks)", slot, block, size, needed));
                if (in_data(block))
                    reference(block, n, slot);
                return;
            }
            if (!in_data(block)) {
                problem(place, fmt::format("{} is block {}, outside the data blocks {}..{}", slot, block,
                                   m_sb.data_start, m_sb.blocks - 1));
                return;
            }
            reference(block, n, slot);
        };
        for (std::uint32_t i = 0; i < kDirect; ++i)
            pointer(i, inode_word(n, Field(int(Field::DIRECT) + int(i))), fmt::format("direct block {}", i));
        std::uint32_t indirect = inode_word(n, Field::INDIRECT);
        if (indirect == 0) {
            if (needed > kDirect)
                problem(place, fmt::format("the indirect block is 0, but size {} needs {} blocks", size, needed));
            return;
        }
        if (!in_data(indirect)) {
            problem(place, fmt::format("the indirect block is {}, outside the data blocks {}..{}", indirect,
                               m_sb.data_start, m_sb.blocks - 1));
            return;
        }
        if (needed <= kDirect)
            problem(place, fmt::format("has indirect block {}, but size {} needs only {} blocks", indirect, size,
                               needed));
        reference(indirect, n, "the indirect block");
        for (std::uint32_t i = 0; i < kBlockWords; ++i)
            pointer(kDirect + i, m_words[std::size_t(indirect) * kBlockWords + i],
                fmt::format("indirect block {} word {}", indirect, i));
    }

    std::string describe(const Reference& reference) const
    {
        return fmt::format("{} {}", inode_place(reference.inode), reference.slot);
    }

    void check_block_map()
    {
        std::size_t map = std::size_t(m_sb.map_start) * kBlockWords;
        for (std::uint32_t b = 0; b < m_sb.map_blocks * kBlockWords; ++b) {
            std::uint32_t used = m_words[map + b];
            std::string place = fmt::format("block {}", b);
            if (b >= m_sb.blocks) {
                if (used != 0)
                    problem(fmt::format("block map word {}", b),
                        fmt::format("is {}, but the store has only {} blocks (expected 0)", used, m_sb.blocks));
                continue;
            }
            if (used > 1) {
                problem(fmt::format("block map word {}", b), fmt::format("is {}, expected 0 (free) or 1 (used)", used));
                continue;
            }
            if (used)
                ++m_report.used_blocks;
            if (b < m_sb.data_start) {
                if (!used)
                    problem(place, "is a metadata block (superblock, log, map or inodes) but the map marks it free");
                continue;
            }
            const std::vector<Reference>& refs = m_references[b];
            if (used && refs.empty())
                problem(place, "is marked used but no inode references it");
            if (!used && !refs.empty())
                problem(place, fmt::format("is marked free but {} references it", describe(refs.front())));
            if (refs.size() > 1) {
                std::string list;
                for (std::size_t i = 1; i < refs.size(); ++i)
                    list += (i > 1 ? ", " : "") + describe(refs[i]);
                problem(place, fmt::format("is referenced {} times: by {}, and by {}", refs.size(),
                                   describe(refs.front()), list));
            }
        }
    }

    void check_links()
    {
        for (std::uint32_t n = 1; n < m_sb.inodes; ++n) {
            if (!in_use(n))
                continue;
            if (type_of(n) == kTypeDir)
                ++m_report.directories;
            else
                ++m_report.files;
            std::uint32_t links = inode_word(n, Field::LINKS);
            std::uint32_t names = m_names[n];
            std::string place = inode_place(n);
            bool reached = n == kRootInode ? m_valid_dir[n] : names > 0;
            if (!reached) {
                problem(place, fmt::format("is in use ({}, links {}, size {}) but no directory reaches it",
                                   type_name(type_of(n)), links, inode_word(n, Field::SIZE)));
                continue;
            }
            if (n == kRootInode) {
                // The root has no entry in a parent: the store itself names it.
                if (names > 0)
                    problem(place, fmt::format("is named by {} directory {} (only '.' and '..' name the root)",
                                       names, names == 1 ? "entry" : "entries"));
                if (links != 1)
                    problem(place, fmt::format("links is {}, expected 1 for the root (the store names it)", links));
                continue;
            }
            if (links != names)
                problem(place, fmt::format("links is {}, but {} directory {} it", links, names,
                                   names == 1 ? "entry names" : "entries name"));
            if (type_of(n) == kTypeDir && names > 1)
                problem(place, fmt::format("is a directory with {} names (a directory has one)", names));
        }
    }

    std::vector<std::uint32_t>& m_words;
    const Superblock& m_sb;
    CheckReport& m_report;
    std::vector<std::vector<Reference>> m_references;
    std::vector<std::uint32_t> m_names;
    std::vector<std::uint32_t> m_parent;
    std::vector<std::string> m_path;
    std::vector<bool> m_valid_dir;
};

} // namespace

CheckReport check(std::span<const std::uint32_t> words)
{
    CheckReport report;
    std::vector<std::uint32_t> copy(words.begin(), words.end());
    auto sb = read_superblock(copy, "");
    if (!sb) {
        const Diagnostic& d = sb.error().diagnostics().front();
        report.problems.push_back(Problem { d.where, d.message });
        return report;
    }
    report.blocks = sb->blocks;
    report.inodes = sb->inodes;
    if (sb->log_count != 0) {
        auto undone = recover(copy, "");
        if (!undone) {
            const Diagnostic& d = undone.error().diagnostics().front();
            report.problems.push_back(Problem { d.where, d.message + " (the log cannot be recovered)" });
            return report;
        }
        report.notes.push_back(fmt::format("SB_LOG_COUNT is {}: a system call was cut off; checked the store as "
                                           "recovery leaves it ({} undo entries rolled back)",
            *undone, *undone));
    }
    Checker(copy, *sb, report).run();
    return report;
}

} // namespace pxos::store
