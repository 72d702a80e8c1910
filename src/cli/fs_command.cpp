// `pxos fs IMAGE.png ACTION ...`: the image's file store from the host.
// Every action recovers the undo log first (on a copy); the actions that
// change the store write the whole PNG back atomically (temporary file, then
// rename), so a failing command leaves the image byte for byte as it was.
#include "commands.hpp"
#include "terminal.hpp"

#include "base/json_writer.hpp"
#include "pxos/base/executor.hpp"
#include "pxos/image/png_io.hpp"
#include "pxos/store/store.hpp"

#include <cstdio>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace pxos::cli {

namespace {

std::string type_word(std::uint32_t type)
{
    switch (type) {
    case store::kTypeDir: return "dir";
    case store::kTypeFile: return "file";
    default: return fmt::format("type{}", type);
    }
}

Result<void> expect_arguments(const FsCommandOptions& options, std::size_t minimum, std::size_t maximum,
    std::string_view usage)
{
    std::size_t count = options.arguments.size();
    if (count < minimum || count > maximum)
        return Error::usage(fmt::format("fs {}: expected {}, got {} argument{}", options.action, usage, count,
            count == 1 ? "" : "s"));
    return {};
}

// The words of a file as bytes: each must be 0..255 (text); --words gives
// every word as 4 little-endian bytes.
Result<std::vector<std::uint8_t>> to_bytes(const std::vector<std::uint32_t>& words, bool raw, const std::string& where)
{
    std::vector<std::uint8_t> bytes;
    bytes.reserve(words.size() * (raw ? 4 : 1));
    for (std::size_t i = 0; i < words.size(); ++i) {
        std::uint32_t word = words[i];
        if (raw) {
            for (int shift = 0; shift < 32; shift += 8)
                bytes.push_back(std::uint8_t(word >> shift));
        } else if (word > 0xff) {
            return Error::bad_input(where, fmt::format("word {} is {:#x}, not a byte: the file is not text (use "
                                                       "--words to move its raw words)",
                                               i, word));
        } else {
            bytes.push_back(std::uint8_t(word));
        }
    }
    return bytes;
}

Result<std::vector<std::uint32_t>> to_words(const std::vector<std::uint8_t>& bytes, bool raw, const std::string& where)
{
    std::vector<std::uint32_t> words;
    if (!raw) {
        words.assign(bytes.begin(), bytes.end());
        return words;
    }
    if (bytes.size() % 4 != 0)
        return Error::bad_input(where, fmt::format("{} bytes are not a whole number of 32-bit words (--words)",
                                           bytes.size()));
    for (std::size_t i = 0; i < bytes.size(); i += 4)
        words.push_back(std::uint32_t(bytes[i]) | std::uint32_t(bytes[i + 1]) << 8 | std::uint32_t(bytes[i + 2]) << 16
            | std::uint32_t(bytes[i + 3]) << 24);
    return words;
}

int run_check(const FsCommandOptions& options, const store::StoreWords& words)
{
    store::CheckReport report = store::check(words.words);
    std::string text;
    for (const std::string& note : report.notes)
        text += fmt::format("{}: store: {}\n", options.image_path, note);
    if (options.json) {
        nlohmann::ordered_json json;
        json["schema"] = kJsonSchema;
        json["image"] = options.image_path;
        json["clean"] = report.clean();
        json["notes"] = report.notes;
        nlohmann::ordered_json problems = nlohmann::ordered_json::array();
        for (const store::Problem& problem : report.problems)
            problems.push_back({ { "place", problem.place }, { "message", problem.message } });
        json["problems"] = problems;
        json["blocks"] = report.blocks;
        json["used_blocks"] = report.used_blocks;
        json["inodes"] = report.inodes;
        json["files"] = report.files;
        json["directories"] = report.directories;
        print_result(write_json(json, JsonLayout::Indented) + "\n");
        return report.clean() ? 0 : 1;
    }
    for (const store::Problem& problem : report.problems)
        text += fmt::format("{}: store: {}\n", options.image_path, problem.line());
    if (report.clean())
        text += fmt::format("{}: store is clean: {}, {}, {} of {} used\n", options.image_path,
            plural(long(report.files), "file"), plural(long(report.directories), "directory", "directories"),
            report.used_blocks, plural(long(report.blocks), "block"));
    else
        text += fmt::format("{}: store has {} problem{}\n", options.image_path, report.problems.size(),
            report.problems.size() == 1 ? "" : "s");
    print_report(text);
    return report.clean() ? 0 : 1;
}

// ls, cat and get: the recovered store, nothing written to the image.
Result<int> run_read(const FsCommandOptions& options, store::Store& fs)
{
    if (options.action == "ls") {
        PXOS_TRY(expect_arguments(options, 0, 1, "ls [PATH]"));
        std::string path = options.arguments.empty() ? "/" : options.arguments[0];
        auto entries = fs.list(path);
        if (!entries)
            return std::move(entries).error();
        if (options.json) {
            nlohmann::ordered_json listed = nlohmann::ordered_json::array();
            for (const store::DirEntry& entry : *entries)
                listed.push_back({ { "name", entry.name }, { "type", type_word(entry.type) }, { "inode", entry.inode },
                    { "links", entry.links }, { "size", entry.size } });
            nlohmann::ordered_json json { { "schema", kJsonSchema }, { "image", options.image_path }, { "path", path },
                { "entries", std::move(listed) } };
            print_result(write_json(json, JsonLayout::Indented) + "\n");
            return 0;
        }
        std::string text;
        for (const store::DirEntry& entry : *entries)
            text += fmt::format("{:<4} {:>4} {:>7}  {}\n", type_word(entry.type), entry.inode, entry.size, entry.name);
        print_report(text);
        return 0;
    }
    PXOS_TRY(expect_arguments(options, 1, options.action == "get" ? 2 : 1,
        options.action == "get" ? "get PATH [HOSTFILE]" : "cat PATH"));
    const std::string& path = options.arguments[0];
    auto words = fs.read_file(path);
    if (!words)
        return std::move(words).error();
    auto bytes = to_bytes(*words, options.words, fmt::format("{}:{}", options.image_path, path));
    if (!bytes)
        return std::move(bytes).error();
    if (options.action == "get" && options.arguments.size() == 2) {
        const std::string& host = options.arguments[1];
        PXOS_TRY(host_files().check_output_path(host));
        const std::string inputs[] = { options.image_path };
        PXOS_TRY(host_files().check_output_not_input(host, inputs));
        PXOS_TRY(host_files().write_file_atomic(host, std::span<const std::uint8_t>(*bytes)));
        return 0;
    }
    std::fwrite(bytes->data(), 1, bytes->size(), stdout);
    std::fflush(stdout);
    return 0;
}

// put, rm and mkdir: change the recovered store, then the PNG.
Result<void> run_write(const FsCommandOptions& options, store::Store& fs)
{
    if (options.action == "put") {
        PXOS_TRY(expect_arguments(options, 2, 2, "put HOSTFILE PATH"));
        const std::string& host = options.arguments[0];
        std::uint64_t max_bytes = store::kMaxFileWords * (options.words ? 4 : 1);
        auto bytes = host_files().read_file_bytes(host, max_bytes);
        if (!bytes)
            return std::move(bytes).error();
        auto words = to_words(*bytes, options.words, host);
        if (!words)
            return std::move(words).error();
        return fs.write_file(options.arguments[1], *words, store::Parents::Required);
    }
    PXOS_TRY(expect_arguments(options, 1, 1, fmt::format("{} PATH", options.action)));
    if (options.action == "rm")
        return fs.unlink(options.arguments[0]);
    return fs.make_directory(options.arguments[0], store::Parents::Required);
}

Result<int> run_fs(const FsCommandOptions& options)
{
    auto image = load_png(host_files(), options.image_path, PngLimits::from_caps(options.caps));
    if (!image)
        return std::move(image).error();
    auto words = store::read_store(*image, options.image_path);
    if (!words)
        return std::move(words).error();
    if (options.action == "check") {
        PXOS_TRY(expect_arguments(options, 0, 0, "check (no arguments)"));
        return run_check(options, *words);
    }
    std::string where = options.image_path + ": store";
    auto undone = store::recover(words->words, where);
    if (!undone)
        return std::move(undone).error();
    auto fs = store::Store::open(words->words, options.image_path);
    if (!fs)
        return std::move(fs).error();
    bool writes = options.action == "put" || options.action == "rm" || options.action == "mkdir";
    if (!writes)
        return run_read(options, *fs);
    PXOS_TRY(run_write(options, *fs));
    PXOS_TRY(store::write_store(*image, *words));
    SerialExecutor executor;
    PXOS_TRY(save_png(host_files(), options.image_path, *image, executor));
    return 0;
}

} // namespace

int run_fs_command(const FsCommandOptions& options)
{
    setup_logging(Verbosity::Normal);
    auto result = run_fs(options);
    if (!result)
        return report_error(result.error());
    return *result;
}

} // namespace pxos::cli
