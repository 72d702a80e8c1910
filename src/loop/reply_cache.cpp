#include "pxos/loop/reply_cache.hpp"

#include "pxos/base/file_system.hpp"
#include "pxos/base/limits.hpp"

#include <filesystem>
#include <fmt/format.h>

namespace pxos {

namespace fs = std::filesystem;

std::uint64_t fnv1a(std::string_view text)
{
    std::uint64_t hash = 1469598103934665603ull;
    for (unsigned char c : text) {
        hash ^= c;
        hash *= 1099511628211ull;
    }
    return hash;
}

std::string ReplyCache::file_for(std::string_view prompt) const
{
    return (fs::path(m_folder) / fmt::format("{:016x}.txt", fnv1a(prompt))).string();
}

std::optional<std::string> ReplyCache::find(std::string_view prompt) const
{
    std::string cache_file = file_for(prompt);
    if (!m_files->exists(cache_file))
        return std::nullopt;
    std::string reply;
    auto cached = m_files->read_file_text(cache_file, cap_maximum(Cap::LlmReply));
    if (cached)
        reply = *cached;
    return reply;
}

Result<void> ReplyCache::store(std::string_view prompt, const std::string& reply) const
{
    std::string cache_file = file_for(prompt);
    return m_files->write_file_atomic(cache_file, reply);
}

} // namespace pxos
