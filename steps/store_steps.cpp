// Steps that fill the image's file store: format it (mkfs), and put files
// into it (text, a host file's bytes, or a program file assembled from
// pxasm). The store's format is the host store library's (pxos/store).
#include "builtin_steps.hpp"

#include "pxos/asm/program_file.hpp"
#include "pxos/base/file_system.hpp"
#include "pxos/store/store.hpp"

#include <filesystem>
#include <fmt/format.h>

namespace pxos::steps {

namespace {

// The image's store region, or an error at the roadmap entry saying why the
// image has none.
Result<store::StoreWords> step_store(StepContext& step)
{
    auto words = store::read_store(step.vram(), "the image");
    if (!words)
        return Error::bad_input(step.where(),
            fmt::format("needs the image's file store: {} (this image is {}x{})",
                words.error().diagnostics().front().message, step.vram().width(), step.vram().height()));
    return words;
}

// A store error, at the roadmap entry.
Error at_step(StepContext& step, const Error& error)
{
    const Diagnostic& first = error.diagnostics().front();
    return Error::bad_input(step.where(),
        first.where.empty() ? first.message : fmt::format("{}: {}", first.where, first.message));
}

// The words add_file puts into the store, from exactly one of its sources.
Result<std::vector<std::uint32_t>> file_words(StepContext& step)
{
    std::vector<std::string_view> given;
    for (std::string_view name : { "text", "file", "program_file", "program_source" })
        if (step.has_own(name))
            given.push_back(name);
    if (given.size() != 1)
        return Error::bad_input(step.where(),
            given.empty() ? std::string("needs one of 'text', 'file', 'program_file' or 'program_source'")
                          : fmt::format("takes one of 'text', 'file', 'program_file' or 'program_source', "
                                        "not both '{}' and '{}'",
                                given[0], given[1]));
    std::vector<std::uint32_t> words;
    if (given[0] == "text") {
        for (char c : step.string("text"))
            words.push_back(std::uint8_t(c));
        return words;
    }
    if (given[0] == "file") {
        std::string file = step.string("file");
        if (auto named = check_readable_name(file); !named)
            return Error::bad_input(step.where(), fmt::format("file '{}': {}", printable_path(file),
                                                      named.error().diagnostics().front().message));
        if (!step.files())
            return Error::bad_input(step.where(), "'file' needs a file system (none in this build)");
        std::filesystem::path path(file);
        if (path.is_relative())
            path = std::filesystem::path(step.roadmap_folder()) / path;
        auto bytes = step.files()->read_file_bytes(path.lexically_normal().string(), store::kMaxFileWords,
            std::nullopt, step.code_limits().reads);
        if (!bytes)
            return at_step(step, bytes.error());
        words.assign(bytes->begin(), bytes->end());
        return words;
    }
    AssembleOptions options;
    options.limits = step.code_limits();
    options.files = step.files();
    options.vram_width = step.vram().width();
    options.vram_height = step.vram().height();
    options.origin = 0;
    options.relocatable = true;
    auto program = assemble_step_source(step, "program_file", "program_source", options);
    if (!program)
        return std::move(program).error();
    return program_file_words(*program);
}

} // namespace

Result<void> format_store(StepContext& step)
{
    auto store = step_store(step);
    if (!store)
        return std::move(store).error();
    store::FormatOptions options;
    options.log_blocks = std::uint32_t(step.integer("log_blocks"));
    options.inode_blocks = std::uint32_t(step.integer("inode_blocks"));
    if (auto formatted = store::format(store->words, options, "the store"); !formatted)
        return at_step(step, formatted.error());
    PXOS_TRY(store::write_store(step.vram(), *store));
    auto sb = store::read_superblock(store->words, "");
    step.set("store_blocks", std::int64_t(sb->blocks));
    step.set("store_inodes", std::int64_t(sb->inodes));
    return {};
}

Result<void> add_file(StepContext& step)
{
    std::string path = step.string("path");
    if (path.empty())
        return Error::bad_input(step.where(), "needs 'path' (where in the store, e.g. /bin/sh)");
    auto data = file_words(step);
    if (!data)
        return std::move(data).error();
    auto store = step_store(step);
    if (!store)
        return std::move(store).error();
    auto opened = store::Store::open(store->words, "");
    if (!opened)
        return at_step(step, opened.error());
    if (auto written = opened->write_file(path, *data, store::Parents::Create); !written)
        return at_step(step, written.error());
    PXOS_TRY(store::write_store(step.vram(), *store));
    step.set("store_used_blocks", std::int64_t(opened->used_blocks()));
    return {};
}

} // namespace pxos::steps
