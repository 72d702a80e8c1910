// The command line as plain data: main.cpp reads its CLI11 definitions into
// CommandDoc rows once, and everything people read about the command line is
// generated from those rows (--help, `pxos help`, the man page and the bash,
// zsh and fish completions), so none of them can drift from the parser.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pxos::cli {

struct OptionDoc {
    std::vector<std::string> names; // "-o", "--output"; a positional: its metavariable alone
    std::string metavar;            // "FILE.png", "N", "llm|heuristic|copy"; empty: a flag
    std::string description;
    std::string default_value;      // empty: none shown
    std::string range;              // "1-64"; empty: none
    std::string group;              // "Options", "Caps", "Arguments"
    bool positional = false;
    bool required = false;
    bool repeatable = false;
    // The values a completion offers (the metavariable's alternatives, or
    // the command names of `pxos help COMMAND`); empty: see completes().
    std::vector<std::string> choices;

    // What a completion offers for the value when there are no choices:
    // files for FILE..., folders for DIR, nothing for N, X,Y, CMD, ...
    enum class Completes { Nothing, Files, Directories };
    Completes completes() const;
};

struct ExampleDoc {
    std::string command; // "pxos run artifacts/vram_os.png"
    std::string meaning; // one line
};

struct ExitCodeDoc {
    int code = 0;
    std::string meaning;
};

struct CommandDoc {
    std::string name;
    std::string summary;
    std::string group; // the heading it is listed under in `pxos help`
    std::vector<OptionDoc> options; // positionals first, in order
    std::vector<ExampleDoc> examples;
    std::vector<ExitCodeDoc> exit_codes;
    std::string notes; // a paragraph after the options (keys, commands, ...)
};

// `pxos help COMMAND` and `pxos COMMAND --help`.
std::string render_command_help(const CommandDoc& command);
// `pxos help`, `pxos --help` and bare `pxos`: the commands by group.
std::string render_command_list(const std::vector<CommandDoc>& commands, std::string_view version);

enum class Shell { Bash, Zsh, Fish };
// Parses "bash", "zsh" or "fish"; false for anything else.
bool parse_shell(std::string_view name, Shell& shell);
std::string render_completion(const std::vector<CommandDoc>& commands, Shell shell);

// pxos.1 in man(7) roff, one section per subcommand.
std::string render_man_page(const std::vector<CommandDoc>& commands, std::string_view version);

} // namespace pxos::cli
