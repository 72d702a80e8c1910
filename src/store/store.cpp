// The store's operations: paths, directories, reading and writing files.
#include "pxos/store/store.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace pxos::store {

using Field = abi::store::Inode;

std::string entry_name(std::span<const std::uint32_t> entry)
{
    std::string name;
    for (std::uint32_t i = 0; i < kNameMax && std::size_t(int(abi::store::Dirent::NAME) + i) < entry.size(); ++i) {
        std::uint32_t c = entry[std::size_t(int(abi::store::Dirent::NAME) + i)];
        if (c == 0)
            break;
        name += c < 256 ? char(c) : '?';
    }
    return name;
}

Store::Store(std::vector<std::uint32_t>& words, std::string where, Superblock superblock)
    : m_words(&words)
    , m_where(std::move(where))
    , m_superblock(superblock)
{
}

Result<Store> Store::open(std::vector<std::uint32_t>& words, std::string where)
{
    auto sb = read_superblock(words, where);
    if (!sb)
        return std::move(sb).error();
    if (sb->log_count != 0)
        return Error::bad_input(fmt::format("{}: superblock word {} (SB_LOG_COUNT)", where,
                                    int(abi::store::Superblock::LOG_COUNT)),
            fmt::format("is {}: a system call was cut off; recover the store first", sb->log_count));
    return Store(words, std::move(where), *sb);
}

Error Store::error(std::string_view path, std::string message) const
{
    return Error::bad_input(m_where.empty() ? std::string(path) : fmt::format("{}:{}", m_where, path),
        std::move(message));
}

std::uint32_t& Store::inode_word(std::uint32_t inode, Field field)
{
    return (*m_words)[m_superblock.inode_word(inode) + std::uint32_t(field)];
}

std::uint32_t Store::inode_word(std::uint32_t inode, Field field) const
{
    return (*m_words)[m_superblock.inode_word(inode) + std::uint32_t(field)];
}

Result<std::vector<std::string>> Store::split(std::string_view path) const
{
    if (path.empty() || path.front() != '/')
        return error(path, "not an absolute path (store paths start with '/')");
    if (path.size() > kPathMax)
        return error(path.substr(0, 32), fmt::format("the path is {} characters, longer than OS_PATH_MAX {}",
                                             path.size(), kPathMax));
    std::vector<std::string> names;
    std::size_t start = 1;
    while (start <= path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string_view::npos)
            end = path.size();
        std::string_view name = path.substr(start, end - start);
        if (!name.empty()) {
            if (name.size() > kNameMax)
                return error(path, fmt::format("'{}' is {} characters, longer than OS_NAME_MAX {}", name, name.size(),
                                       kNameMax));
            for (char c : name)
                if (std::uint8_t(c) < 0x21 || std::uint8_t(c) > 0x7e)
                    return error(path, fmt::format("'{}' has a character that is not printable ASCII (or a space)",
                                           name));
            names.emplace_back(name);
        }
        start = end + 1;
    }
    return names;
}

Result<std::uint32_t> Store::block_of(std::uint32_t inode, std::uint32_t index) const
{
    std::uint32_t block = 0;
    if (index < kDirect) {
        block = inode_word(inode, Field(int(Field::DIRECT) + int(index)));
    } else {
        std::uint32_t indirect = inode_word(inode, Field::INDIRECT);
        if (indirect == 0)
            return std::uint32_t(0);
        if (indirect < m_superblock.data_start || indirect >= m_superblock.blocks)
            return Error::bad_input(fmt::format("{}: inode {}", m_where, inode),
                fmt::format("indirect block {} is outside the data blocks {}..{} (run pxos fs check)", indirect,
                    m_superblock.data_start, m_superblock.blocks - 1));
        block = (*m_words)[std::size_t(indirect) * kBlockWords + (index - kDirect)];
    }
    if (block != 0 && (block < m_superblock.data_start || block >= m_superblock.blocks))
        return Error::bad_input(fmt::format("{}: inode {}", m_where, inode),
            fmt::format("block {} of the file is {}, outside the data blocks {}..{} (run pxos fs check)", index, block,
                m_superblock.data_start, m_superblock.blocks - 1));
    return block;
}

Result<std::vector<std::uint32_t>> Store::read_inode(std::uint32_t inode, std::string_view path) const
{
    std::uint32_t size = inode_word(inode, Field::SIZE);
    if (size > kMaxFileWords || size > std::uint64_t(m_superblock.blocks) * kBlockWords)
        return error(path, fmt::format("inode {} has size {}, more than a file can hold (run pxos fs check)", inode,
                               size));
    std::vector<std::uint32_t> data;
    data.reserve(size);
    for (std::uint32_t index = 0; std::uint64_t(index) * kBlockWords < size; ++index) {
        auto block = block_of(inode, index);
        if (!block)
            return std::move(block).error();
        std::uint32_t count = std::min<std::uint32_t>(kBlockWords, size - index * kBlockWords);
        if (*block == 0)
            return error(path, fmt::format("inode {} has no block {} for its size {} (run pxos fs check)", inode, index,
                                   size));
        const std::uint32_t* words = m_words->data() + std::size_t(*block) * kBlockWords;
        data.insert(data.end(), words, words + count);
    }
    return data;
}

Result<std::uint32_t> Store::find_entry(std::uint32_t directory, std::string_view name, std::string_view path) const
{
    if (inode_word(directory, Field::TYPE) != kTypeDir)
        return error(path, "a path component is not a directory");
    auto entries = read_inode(directory, path);
    if (!entries)
        return std::move(entries).error();
    for (std::size_t at = 0; at + kDirentWords <= entries->size(); at += kDirentWords) {
        std::span<const std::uint32_t> entry(entries->data() + at, kDirentWords);
        if (entry[0] != 0 && entry_name(entry) == name) {
            if (entry[0] >= m_superblock.inodes)
                return error(path, fmt::format("the entry '{}' names inode {}, outside the store's {} inodes (run "
                                               "pxos fs check)",
                                       name, entry[0], m_superblock.inodes));
            return entry[0];
        }
    }
    return std::uint32_t(0);
}

Result<std::uint32_t> Store::walk(std::string_view path, std::span<const std::string> names) const
{
    std::uint32_t inode = kRootInode;
    for (const std::string& name : names) {
        auto next = find_entry(inode, name, path);
        if (!next)
            return std::move(next).error();
        if (*next == 0)
            return error(path, "no such file or directory");
        inode = *next;
    }
    return inode;
}

Result<std::uint32_t> Store::lookup(std::string_view path) const
{
    auto names = split(path);
    if (!names)
        return std::move(names).error();
    auto inode = walk(path, *names);
    if (inode && inode_word(*inode, Field::TYPE) == kTypeFree)
        return error(path, fmt::format("the entry names inode {}, which is free (run pxos fs check)", *inode));
    return inode;
}

Result<DirEntry> Store::stat(std::string_view path) const
{
    auto inode = lookup(path);
    if (!inode)
        return std::move(inode).error();
    auto names = split(path);
    DirEntry entry;
    entry.name = names->empty() ? "/" : names->back();
    entry.inode = *inode;
    entry.type = inode_word(*inode, Field::TYPE);
    entry.links = inode_word(*inode, Field::LINKS);
    entry.size = inode_word(*inode, Field::SIZE);
    return entry;
}

Result<std::vector<DirEntry>> Store::list(std::string_view path) const
{
    auto self = stat(path);
    if (!self)
        return std::move(self).error();
    if (self->type != kTypeDir)
        return std::vector<DirEntry> { *self };
    auto words = read_inode(self->inode, path);
    if (!words)
        return std::move(words).error();
    std::vector<DirEntry> entries;
    for (std::size_t at = 0; at + kDirentWords <= words->size(); at += kDirentWords) {
        std::span<const std::uint32_t> entry(words->data() + at, kDirentWords);
        if (entry[0] == 0)
            continue;
        DirEntry listed;
        listed.name = entry_name(entry);
        listed.inode = entry[0];
        if (entry[0] < m_superblock.inodes) {
            listed.type = inode_word(entry[0], Field::TYPE);
            listed.links = inode_word(entry[0], Field::LINKS);
            listed.size = inode_word(entry[0], Field::SIZE);
        }
        entries.push_back(std::move(listed));
    }
    return entries;
}

Result<std::vector<std::uint32_t>> Store::read_file(std::string_view path) const
{
    auto inode = lookup(path);
    if (!inode)
        return std::move(inode).error();
    if (inode_word(*inode, Field::TYPE) != kTypeFile)
        return error(path, "is a directory, not a file");
    return read_inode(*inode, path);
}

Result<std::uint32_t> Store::allocate_block(std::string_view path)
{
    std::size_t map = std::size_t(m_superblock.map_start) * kBlockWords;
    for (std::uint32_t b = m_superblock.data_start; b < m_superblock.blocks; ++b)
        if ((*m_words)[map + b] == 0) {
            (*m_words)[map + b] = 1;
            std::fill_n(m_words->begin() + std::ptrdiff_t(b) * kBlockWords, kBlockWords, 0u);
            return b;
        }
    return error(path, fmt::format("the store is full: all {} data blocks are used",
                           m_superblock.blocks - m_superblock.data_start));
}

Result<std::uint32_t> Store::allocate_inode(std::uint32_t type, std::string_view path)
{
    for (std::uint32_t n = kRootInode + 1; n < m_superblock.inodes; ++n)
        if (inode_word(n, Field::TYPE) == kTypeFree) {
            std::fill_n(m_words->begin() + std::ptrdiff_t(m_superblock.inode_word(n)), kInodeWords, 0u);
            inode_word(n, Field::TYPE) = type;
            return n;
        }
    return error(path, fmt::format("the store is full: all {} inodes are used", m_superblock.inodes - 1));
}

Result<void> Store::free_data(std::uint32_t inode)
{
    std::size_t map = std::size_t(m_superblock.map_start) * kBlockWords;
    for (std::uint32_t index = 0; index < kMaxFileBlocks; ++index) {
        auto block = block_of(inode, index);
        if (!block)
            return std::move(block).error();
        if (*block != 0)
            (*m_words)[map + *block] = 0;
    }
    std::uint32_t indirect = inode_word(inode, Field::INDIRECT);
    if (indirect != 0)
        (*m_words)[map + indirect] = 0; // block_of checked it
    for (int field = int(Field::DIRECT); field <= int(Field::INDIRECT); ++field)
        inode_word(inode, Field(field)) = 0;
    inode_word(inode, Field::SIZE) = 0;
    return {};
}

Result<void> Store::write_inode_data(std::uint32_t inode, std::span<const std::uint32_t> data, std::string_view path)
{
    if (data.size() > kMaxFileWords)
        return error(path, fmt::format("{} words are more than a file holds ({} blocks of {} words)", data.size(),
                               kMaxFileBlocks, kBlockWords));
    PXOS_TRY(free_data(inode));
    std::uint32_t blocks = std::uint32_t((data.size() + kBlockWords - 1) / kBlockWords);
    for (std::uint32_t index = 0; index < blocks; ++index) {
        auto block = allocate_block(path);
        if (!block)
            return std::move(block).error();
        if (index < kDirect) {
            inode_word(inode, Field(int(Field::DIRECT) + int(index))) = *block;
        } else {
            if (inode_word(inode, Field::INDIRECT) == 0) {
                // The indirect block first, then the data block goes into it.
                (*m_words)[std::size_t(m_superblock.map_start) * kBlockWords + *block] = 0;
                auto indirect = allocate_block(path);
                if (!indirect)
                    return std::move(indirect).error();
                inode_word(inode, Field::INDIRECT) = *indirect;
                auto again = allocate_block(path);
                if (!again)
                    return std::move(again).error();
                block = again;
            }
            (*m_words)[std::size_t(inode_word(inode, Field::INDIRECT)) * kBlockWords + (index - kDirect)] = *block;
        }
        std::size_t count = std::min<std::size_t>(kBlockWords, data.size() - std::size_t(index) * kBlockWords);
        std::copy_n(data.begin() + std::ptrdiff_t(index) * kBlockWords, count,
            m_words->begin() + std::ptrdiff_t(*block) * kBlockWords);
    }
    inode_word(inode, Field::SIZE) = std::uint32_t(data.size());
    return {};
}

Result<void> Store::add_entry(std::uint32_t directory, std::string_view name, std::uint32_t inode,
    std::string_view path)
{
    auto words = read_inode(directory, path);
    if (!words)
        return std::move(words).error();
    std::vector<std::uint32_t> entry(kDirentWords, 0);
    entry[0] = inode;
    for (std::size_t i = 0; i < name.size(); ++i)
        entry[std::size_t(int(abi::store::Dirent::NAME)) + i] = std::uint8_t(name[i]);
    std::size_t at = 0;
    while (at + kDirentWords <= words->size() && (*words)[at] != 0)
        at += kDirentWords;
    if (at + kDirentWords > words->size())
        words->resize(at + kDirentWords, 0);
    std::copy(entry.begin(), entry.end(), words->begin() + std::ptrdiff_t(at));
    return write_inode_data(directory, *words, path);
}

Result<std::uint32_t> Store::create_directory(std::uint32_t parent, std::string_view name, std::string_view path)
{
    auto inode = allocate_inode(kTypeDir, path);
    if (!inode)
        return std::move(inode).error();
    inode_word(*inode, Field::LINKS) = 1;
    std::vector<std::uint32_t> entries(2 * kDirentWords, 0);
    entries[0] = *inode;
    entries[1] = '.';
    entries[kDirentWords] = parent;
    entries[kDirentWords + 1] = '.';
    entries[kDirentWords + 2] = '.';
    PXOS_TRY(write_inode_data(*inode, entries, path));
    PXOS_TRY(add_entry(parent, name, *inode, path));
    return *inode;
}

Result<Store::Parent> Store::parent_of(std::string_view path, Parents parents)
{
    auto names = split(path);
    if (!names)
        return std::move(names).error();
    if (names->empty())
        return error(path, "is the root directory");
    std::string last = names->back();
    if (last == "." || last == "..")
        return error(path, fmt::format("'{}' cannot be created or removed", last));
    std::uint32_t directory = kRootInode;
    for (std::size_t i = 0; i + 1 < names->size(); ++i) {
        auto next = find_entry(directory, (*names)[i], path);
        if (!next)
            return std::move(next).error();
        if (*next == 0) {
            if (parents == Parents::Required)
                return error(path, fmt::format("no directory '{}' in its parent", (*names)[i]));
            auto made = create_directory(directory, (*names)[i], path);
            if (!made)
                return std::move(made).error();
            next = made;
        }
        if (inode_word(*next, Field::TYPE) != kTypeDir)
            return error(path, fmt::format("'{}' is not a directory", (*names)[i]));
        directory = *next;
    }
    if (inode_word(directory, Field::TYPE) != kTypeDir)
        return error(path, "the parent is not a directory");
    return Parent { directory, last };
}

Result<void> Store::write_file(std::string_view path, std::span<const std::uint32_t> data, Parents parents)
{
    auto parent = parent_of(path, parents);
    if (!parent)
        return std::move(parent).error();
    auto existing = find_entry(parent->directory, parent->name, path);
    if (!existing)
        return std::move(existing).error();
    std::uint32_t inode = *existing;
    if (inode != 0) {
        if (inode_word(inode, Field::TYPE) != kTypeFile)
            return error(path, "is a directory, not a file");
        return write_inode_data(inode, data, path);
    }
    auto created = allocate_inode(kTypeFile, path);
    if (!created)
        return std::move(created).error();
    inode_word(*created, Field::LINKS) = 1;
    PXOS_TRY(write_inode_data(*created, data, path));
    return add_entry(parent->directory, parent->name, *created, path);
}

Result<void> Store::make_directory(std::string_view path, Parents parents)
{
    auto parent = parent_of(path, parents);
    if (!parent)
        return std::move(parent).error();
    auto existing = find_entry(parent->directory, parent->name, path);
    if (!existing)
        return std::move(existing).error();
    if (*existing != 0)
        return error(path, "exists already");
    auto made = create_directory(parent->directory, parent->name, path);
    if (!made)
        return std::move(made).error();
    return {};
}

Result<void> Store::unlink(std::string_view path)
{
    auto parent = parent_of(path, Parents::Required);
    if (!parent)
        return std::move(parent).error();
    auto words = read_inode(parent->directory, path);
    if (!words)
        return std::move(words).error();
    std::size_t at = 0;
    for (; at + kDirentWords <= words->size(); at += kDirentWords)
        if ((*words)[at] != 0 && entry_name(std::span(words->data() + at, kDirentWords)) == parent->name)
            break;
    if (at + kDirentWords > words->size())
        return error(path, "no such file or directory");
    std::uint32_t inode = (*words)[at];
    if (inode >= m_superblock.inodes || inode_word(inode, Field::TYPE) == kTypeFree)
        return error(path, fmt::format("the entry names inode {}, which is not in use (run pxos fs check)", inode));
    if (inode_word(inode, Field::TYPE) == kTypeDir) {
        auto entries = list(path);
        if (!entries)
            return std::move(entries).error();
        for (const DirEntry& entry : *entries)
            if (entry.name != "." && entry.name != "..")
                return error(path, "the directory is not empty");
    }
    std::fill_n(words->begin() + std::ptrdiff_t(at), kDirentWords, 0u);
    PXOS_TRY(write_inode_data(parent->directory, *words, path));
    std::uint32_t& links = inode_word(inode, Field::LINKS);
    if (links > 1) {
        --links;
        return {};
    }
    PXOS_TRY(free_data(inode));
    std::fill_n(m_words->begin() + std::ptrdiff_t(m_superblock.inode_word(inode)), kInodeWords, 0u);
    return {};
}

std::uint32_t Store::used_blocks() const
{
    std::uint32_t used = 0;
    std::size_t map = std::size_t(m_superblock.map_start) * kBlockWords;
    for (std::uint32_t b = 0; b < m_superblock.blocks; ++b)
        used += (*m_words)[map + b] != 0;
    return used;
}

std::uint32_t Store::used_inodes() const
{
    std::uint32_t used = 0;
    for (std::uint32_t n = 1; n < m_superblock.inodes; ++n)
        used += inode_word(n, Field::TYPE) != kTypeFree;
    return used;
}

} // namespace pxos::store
