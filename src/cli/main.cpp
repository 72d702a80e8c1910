// The pxos binary: one table of subcommands, parsed with CLI11 (kept in this
// one translation unit: it is the slowest header to compile). Each command's
// work lives in its own file behind commands.hpp; help, the man page and the
// completions are generated from this table (cli_reference.hpp).
#include "cli_reference.hpp"
#include "commands.hpp"
#include "std_streams.hpp"

#include "pxos/host/posix/file_system.hpp"
#include "pxos/host/posix/memory.hpp"
#include "pxos/host/posix/shell_llm_client.hpp"
#include "pxos/base/suggest.hpp"
#include "pxos/base/text.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <functional>
#include <initializer_list>
#include <iostream>
#include <sstream>
#include <string_view>
#include <sys/resource.h>
#include <vector>

namespace {

using namespace std::string_view_literals;
using pxos::Cap;
using pxos::cli::CommandDoc;
using pxos::cli::ExampleDoc;
using pxos::cli::ExitCodeDoc;

struct ParsedOptions {
    pxos::cli::CommonOptions common;
    pxos::cli::BuildCommandOptions build;
    pxos::cli::RunCommandOptions run;
    pxos::cli::EvalCommandOptions eval;
    pxos::cli::LoopCommandOptions loop;
    pxos::cli::RenderCommandOptions render;
    pxos::cli::ViewCommandOptions view;
    pxos::cli::BlameCommandOptions blame;
    pxos::cli::DebugCommandOptions debug;
    pxos::cli::DiffCommandOptions diff;
    pxos::cli::AsmCommandOptions assemble;
    pxos::cli::DisasmCommandOptions disassemble;
    pxos::cli::OpsCommandOptions ops;
    pxos::cli::AbiCommandOptions abi;
    pxos::cli::StepsCommandOptions steps;
    pxos::cli::FsCommandOptions fs;
    pxos::cli::LimitsCommandOptions limits;
    std::string help_command;    // pxos help [COMMAND]
    std::string completion_shell; // pxos completions SHELL
    // What help, man and completions print: every command's CommandDoc
    // (main fills it when one of them is named).
    std::vector<CommandDoc> reference;
};

// An option's metavariable: what help, the man page and the completions
// call its value (FILE.png, N, DIR, X,Y). CLI11's own type names (TEXT,
// UINT) are never shown.
CLI::Option* meta(CLI::Option* option, std::string_view metavar)
{
    option->option_text(std::string(metavar));
    return option;
}

// "1-64", with large powers of two written as such.
template<typename T>
std::string range_text(T low, T high)
{
    auto number = [](T value) {
        for (int power = 20; power < 63; ++power)
            if (std::uint64_t(value) == std::uint64_t(1) << power)
                return fmt::format("2^{}", power);
        return fmt::format("{}", value);
    };
    return number(low) + "-" + number(high);
}

template<typename T>
CLI::Validator in_range(T low, T high)
{
    return CLI::Range(low, high).description(range_text(low, high));
}

// A value from a fixed list: checked, and offered by the completions.
CLI::Option* one_of(CLI::Option* option, std::initializer_list<std::string> values)
{
    option->check(CLI::IsMember(std::vector<std::string>(values)).description(""));
    return meta(option, fmt::format("{}", fmt::join(values, "|")));
}

void add_common_flags(CLI::App& command, pxos::cli::CommonOptions& common)
{
    command.add_flag_callback("-q,--quiet", [&common] { common.verbosity = pxos::cli::Verbosity::Quiet; },
        "Print only warnings and errors on stderr");
    command.add_flag_callback("-v,--verbose", [&common] { common.verbosity = pxos::cli::Verbosity::Verbose; },
        "Print more detail on stderr");
}

// --color, on the commands that draw in the terminal.
void add_color_option(CLI::App& command, pxos::cli::CommonOptions& common)
{
    one_of(command
               .add_option_function<std::string>("--color",
                   [&common](const std::string& value) {
                       common.color = value == "always" ? pxos::cli::ColorMode::Always
                           : value == "never"           ? pxos::cli::ColorMode::Never
                                                        : pxos::cli::ColorMode::Auto;
                   },
                   "Colour: auto is on a terminal without NO_COLOR set")
               ->default_str("auto"),
        { "auto", "always", "never" });
}

// The flags of the caps a command applies, from the caps table (limits.hpp),
// in a "Caps" section of its --help. Values are given in the cap's unit.
void add_cap_options(CLI::App& command, pxos::CapValues& caps, std::initializer_list<pxos::Cap> which)
{
    for (pxos::Cap cap : which) {
        const pxos::CapInfo& info = pxos::cap_info(cap);
        std::string protects(info.protects);
        if (!protects.empty() && protects[0] >= 'a' && protects[0] <= 'z')
            protects[0] = char(protects[0] - 'a' + 'A');
        meta(command.add_option_function<std::uint64_t>(std::string(info.flag),
                 [&caps, cap, scale = info.scale](std::uint64_t units) { caps.set(cap, units * scale); },
                 fmt::format("{}, in {}", protects, info.unit)),
            "N")
            ->check(in_range(std::uint64_t(1), info.max_units))
            ->default_str(std::to_string(caps.get(cap) / info.scale))
            ->group("Caps");
    }
}

// Every option that names a file or folder to write: '' is a usage error,
// never "the default" (an empty -o used to fall back to output.png_path).
const CLI::Validator& output_name()
{
    static const CLI::Validator validator(
        [](std::string& value) { return value.empty() ? std::string("is empty, expected a file name") : std::string(); },
        "");
    return validator;
}

struct CommandEntry {
    std::string_view name;
    std::string_view summary;
    std::string_view group;
    std::function<void(CLI::App&, ParsedOptions&)> define;
    std::function<int(const ParsedOptions&)> run;
    std::vector<ExampleDoc> examples;
    std::vector<ExitCodeDoc> exit_codes;
    std::string_view notes = {};
};

constexpr std::string_view kMaking = "Making an OS image";
constexpr std::string_view kRunning = "Running and looking inside";
constexpr std::string_view kScoring = "Scoring and evolving";
constexpr std::string_view kReference = "Reference tables";
constexpr std::string_view kTool = "This tool";

const ExitCodeDoc kUsage { 2, "usage error (an unknown option, a missing argument, a value out of range)" };
const ExitCodeDoc kBadInput { 65, "bad input: the file named in the message (with its place) is not what it should be" };
const ExitCodeDoc kCannotWrite { 74, "cannot read or write a file" };

const std::vector<CommandEntry>& command_table();

#include "command_table.inc"

// The table's definitions of `entry`, read back from CLI11 as plain data.
CommandDoc describe(const CLI::App& command, const CommandEntry& entry)
{
    CommandDoc doc;
    doc.name = entry.name;
    doc.summary = entry.summary;
    doc.group = entry.group;
    doc.examples = entry.examples;
    doc.exit_codes = entry.exit_codes;
    doc.notes = entry.notes;
    auto type_parts = [](const CLI::Option* option) {
        // get_type_name() is CLI11's type, then each validator's description.
        std::vector<std::string> parts;
        std::string text = option->get_type_name();
        for (std::size_t start = 0; start <= text.size();) {
            std::size_t end = std::min(text.find(':', start), text.size());
            parts.push_back(text.substr(start, end - start));
            start = end + 1;
        }
        return parts;
    };
    auto metavar_of = [&](const CLI::Option* option) {
        if (!option->get_option_text().empty())
            return option->get_option_text();
        std::string type = type_parts(option).front();
        return type == "INT" || type == "UINT" ? std::string("N") : type; // TEXT: the table test catches it
    };
    for (const CLI::Option* option : command.get_options([](const CLI::Option* o) { return o->get_positional(); })) {
        pxos::cli::OptionDoc row;
        row.positional = true;
        row.metavar = metavar_of(option);
        row.names = { row.metavar };
        row.description = option->get_description();
        row.required = option->get_required();
        row.repeatable = option->get_expected_max() > 1;
        row.group = "Arguments";
        doc.options.push_back(std::move(row));
    }
    for (const CLI::Option* option : command.get_options([](const CLI::Option* o) { return !o->get_positional(); })) {
        if (option == command.get_help_ptr() || option->get_group().empty()) // hidden: an old name kept working
            continue;
        pxos::cli::OptionDoc row;
        for (const std::string& name : option->get_snames())
            row.names.push_back("-" + name);
        for (const std::string& name : option->get_lnames())
            row.names.push_back("--" + name);
        if (option->get_type_size() != 0) {
            row.metavar = metavar_of(option);
            row.default_value = option->get_default_str();
            std::vector<std::string> parts = type_parts(option);
            std::vector<std::string> checks;
            for (std::size_t i = 1; i < parts.size(); ++i)
                if (!parts[i].empty())
                    checks.push_back(parts[i]);
            row.range = fmt::format("{}", fmt::join(checks, ", "));
            row.repeatable = option->get_expected_max() > 1;
        }
        row.description = option->get_description();
        row.required = option->get_required();
        row.group = option->get_group();
        doc.options.push_back(std::move(row));
    }
    for (pxos::cli::OptionDoc& row : doc.options)
        if (row.metavar.find('|') != std::string::npos) {
            std::string_view text = row.metavar;
            for (std::size_t start = 0; start <= text.size();) {
                std::size_t end = std::min(text.find('|', start), text.size());
                row.choices.emplace_back(text.substr(start, end - start));
                start = end + 1;
            }
        }
    return doc;
}

// A mistyped subcommand: CLI11 would say "A subcommand is required".
bool reject_unknown_command(std::string_view word)
{
    std::vector<std::string_view> names;
    for (const CommandEntry& entry : command_table()) {
        if (entry.name == word)
            return false;
        names.push_back(entry.name);
    }
    std::fprintf(stderr, "pxos: error: unknown command '%s'%s\nRun 'pxos help' for the list of commands.\n",
        pxos::escape_for_terminal(word).c_str(), pxos::escape_for_terminal(pxos::did_you_mean(word, names)).c_str());
    return true;
}

// The first option of argv CLI11 did not know, with the closest of the
// command's options: "unknown option '--ouput'; did you mean '--output'?".
std::string unknown_option_message(const CLI::App& command, int argc, char** argv)
{
    std::vector<std::string> names;
    for (const CLI::Option* option : command.get_options()) {
        for (const std::string& name : option->get_lnames())
            names.push_back("--" + name);
        for (const std::string& name : option->get_snames())
            names.push_back("-" + name);
    }
    for (int i = 2; i < argc; ++i) {
        std::string_view word = argv[i];
        if (word == "--")
            break;
        if (word.size() < 2 || word[0] != '-' || (word[1] >= '0' && word[1] <= '9'))
            continue;
        std::string_view name = word.substr(0, word.find('='));
        if (!name.starts_with("--"))
            name = name.substr(0, 2); // -qv: the first flag
        if (std::find(names.begin(), names.end(), name) != names.end())
            continue;
        std::vector<std::string_view> candidates(names.begin(), names.end());
        return fmt::format("unknown option '{}' for 'pxos {}'{}", name, command.get_name(),
            pxos::did_you_mean(name, candidates));
    }
    return {};
}

// An interrupted command leaves no temporary file behind (a long run
// streams its provenance into one) and no LLM command running, then dies of
// the signal as it would have.
void on_fatal_signal(int signal)
{
    pxos::kill_running_llm_commands();
    pxos::remove_pending_temporary_files();
    std::signal(signal, SIG_DFL);
    std::raise(signal);
}

bool asks_for_help(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i) {
        std::string_view word = argv[i];
        if (word == "--")
            return false;
        if (word == "-h" || word == "--help")
            return true;
    }
    return false;
}

} // namespace

pxos::FileSystem& pxos::cli::host_files()
{
    static pxos::PosixFileSystem disk; // no state of its own: one for the process
    static pxos::cli::StdStreamFileSystem files(disk); // `-` is stdin or stdout (std_streams.hpp)
    return files;
}

int main(int argc, char** argv)
{
    pxos::keep_freed_blocks_for_reuse();
    // A command holds each file it writes open until it commits them all
    // (StagedOutputs): a build with --frames and thousands of steps needs
    // more descriptors than the usual soft limit of 1024. pxos uses no select().
    if (struct rlimit files {}; ::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = std::min<rlim_t>(files.rlim_max, rlim_t(1) << 20);
        ::setrlimit(RLIMIT_NOFILE, &files);
    }
    for (int signal : { SIGINT, SIGTERM, SIGHUP }) {
        struct sigaction current {};
        if (sigaction(signal, nullptr, &current) == 0 && current.sa_handler != SIG_IGN) // keep nohup's and a shell's &
            std::signal(signal, on_fatal_signal);
    }

    std::string_view named = argc > 1 ? std::string_view(argv[1]) : std::string_view();
    bool version = named == "-V" || named == "--version";
    bool list = argc == 1 || named == "-h" || named == "--help";
    if (!list && !version && reject_unknown_command(named))
        return 2;
    if (named == "help" && argc > 2 && argv[2][0] != '-' && reject_unknown_command(argv[2]))
        return 2;

    // Defining a command's options costs more than most commands' work (CLI11
    // builds each option: a quarter of a small build's instructions), so only
    // the command named is defined; all of them for `pxos limits` (it lists
    // which command takes which cap flag) and for the commands that describe
    // the command line (help, man, completions, the command list).
    bool define_all = list || named == "limits" || named == "help" || named == "man" || named == "completions";
    CLI::App app { "pxos: an operating system that lives in pixels", "pxos" };
    app.set_help_flag();
    app.require_subcommand(0, 1); // `pxos help run`: run is help's argument
    ParsedOptions parsed;
    std::vector<std::pair<CLI::App*, const CommandEntry*>> commands;
    for (const CommandEntry& entry : command_table()) {
        CLI::App* command = app.add_subcommand(std::string(entry.name), std::string(entry.summary));
        command->set_help_flag("-h,--help", "Print this command's help");
        if (define_all || entry.name == named)
            entry.define(*command, parsed);
        commands.emplace_back(command, &entry);
    }
    if (define_all) {
        for (const auto& [command, entry] : commands)
            parsed.reference.push_back(describe(*command, *entry));
        // `pxos help COMMAND` completes to the command names.
        for (CommandDoc& doc : parsed.reference)
            if (doc.name == "help")
                for (const CommandEntry& entry : command_table())
                    doc.options.front().choices.emplace_back(entry.name);
    }
    for (const auto& [command, entry] : commands)
        for (const pxos::CapInfo& info : pxos::kCaps)
            if (command->get_option_no_throw(std::string(info.flag)))
                parsed.limits.commands[std::string(info.flag)].push_back(std::string(entry->name));

    if (version) {
        std::printf("pxos %s\n", PXOS_VERSION);
        return 0;
    }
    if (list) {
        std::fputs(pxos::cli::render_command_list(parsed.reference, PXOS_VERSION).c_str(), stdout);
        return 0;
    }
    if (asks_for_help(argc, argv)) {
        for (const auto& [command, entry] : commands)
            if (entry->name == named)
                std::fputs(pxos::cli::render_command_help(describe(*command, *entry)).c_str(), stdout);
        return 0;
    }

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        std::string message = error.what();
        for (const auto& [command, entry] : commands)
            if (entry->name == named && dynamic_cast<const CLI::ExtrasError*>(&error))
                if (std::string unknown = unknown_option_message(*command, argc, argv); !unknown.empty())
                    message = unknown;
        // It may quote an argument: escaped like every diagnostic.
        std::fprintf(stderr, "pxos: error: %s\nRun 'pxos help %s' for its options.\n",
            pxos::escape_for_terminal(message).c_str(), pxos::escape_for_terminal(named).c_str());
        return 2;
    }

    pxos::cli::set_common_options(parsed.common);
    parsed.build.verbosity = parsed.run.verbosity = parsed.loop.verbosity = parsed.common.verbosity;
    for (const auto& [command, entry] : commands)
        if (command->parsed())
            return entry->run(parsed);
    return 2;
}
