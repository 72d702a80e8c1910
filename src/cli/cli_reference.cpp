#include "cli_reference.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace pxos::cli {

namespace {

constexpr std::size_t kHelpWidth = 80;   // help is the same text on every terminal
constexpr std::size_t kLeftColumn = 28;  // where option descriptions start
constexpr std::size_t kCompletionSummary = 72;

// Splits `text` into lines of at most `width` columns at spaces; a word
// longer than the width stays whole on its own line.
std::vector<std::string> wrap(std::string_view text, std::size_t width)
{
    std::vector<std::string> lines;
    std::string line;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find(' ', start);
        if (end == std::string_view::npos)
            end = text.size();
        std::string_view word = text.substr(start, end - start);
        start = end + 1;
        if (word.empty())
            continue;
        if (!line.empty() && line.size() + 1 + word.size() > width) {
            lines.push_back(std::move(line));
            line.clear();
        }
        if (!line.empty())
            line += ' ';
        line += word;
    }
    if (!line.empty() || lines.empty())
        lines.push_back(std::move(line));
    return lines;
}

void append_wrapped(std::string& out, std::string_view text, std::size_t indent, std::size_t width = kHelpWidth)
{
    for (const std::string& line : wrap(text, width - indent))
        out += std::string(indent, ' ') + line + "\n";
}

std::string option_left_column(const OptionDoc& option)
{
    std::string left;
    if (option.positional)
        return option.metavar;
    for (const std::string& name : option.names)
        left += (left.empty() ? "" : ", ") + name;
    if (!option.metavar.empty())
        left += (option.names.back().starts_with("--") ? " " : " ") + option.metavar;
    return left;
}

std::string option_description(const OptionDoc& option)
{
    std::string text = option.description;
    std::vector<std::string> notes;
    if (option.required)
        notes.push_back("required");
    if (!option.range.empty())
        notes.push_back(option.range);
    if (!option.default_value.empty())
        notes.push_back("default " + option.default_value);
    if (option.repeatable)
        notes.push_back("repeatable");
    if (!notes.empty())
        text += fmt::format(" ({})", fmt::join(notes, ", "));
    return text;
}

std::string usage_line(const CommandDoc& command)
{
    std::string usage = "pxos " + command.name;
    bool has_options = std::any_of(command.options.begin(), command.options.end(),
        [](const OptionDoc& option) { return !option.positional; });
    if (has_options)
        usage += " [OPTIONS]";
    for (const OptionDoc& option : command.options) {
        if (!option.positional)
            continue;
        std::string word = option.metavar + (option.repeatable ? "..." : "");
        usage += option.required ? " " + word : " [" + word + "]";
    }
    return usage;
}

// The first clause of a summary, short enough for a completion menu.
std::string short_summary(std::string_view summary)
{
    std::string text(summary.substr(0, summary.find(';')));
    if (text.size() > kCompletionSummary) {
        std::size_t cut = text.rfind(' ', kCompletionSummary - 3);
        text = text.substr(0, cut == std::string::npos ? kCompletionSummary - 3 : cut) + "...";
    }
    return text;
}

std::string replace_all(std::string text, std::string_view from, std::string_view to)
{
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

// A word for a shell script inside single quotes.
std::string single_quoted(std::string_view text)
{
    return "'" + replace_all(std::string(text), "'", "'\\''") + "'";
}

std::string shell_function_name(std::string_view command)
{
    return "_pxos_" + replace_all(std::string(command), "-", "_");
}

std::vector<const OptionDoc*> positionals(const CommandDoc& command)
{
    std::vector<const OptionDoc*> found;
    for (const OptionDoc& option : command.options)
        if (option.positional)
            found.push_back(&option);
    return found;
}

std::string bash_value_completion(const OptionDoc& option)
{
    if (!option.choices.empty())
        return fmt::format("COMPREPLY=( $(compgen -W {} -- \"$cur\") )", single_quoted(fmt::format("{}", fmt::join(option.choices, " "))));
    switch (option.completes()) {
    case OptionDoc::Completes::Files: return "compopt -o filenames 2>/dev/null; COMPREPLY=( $(compgen -f -- \"$cur\") )";
    case OptionDoc::Completes::Directories: return "compopt -o filenames 2>/dev/null; COMPREPLY=( $(compgen -d -- \"$cur\") )";
    case OptionDoc::Completes::Nothing: break;
    }
    return "COMPREPLY=()";
}

std::string bash_completion(const std::vector<CommandDoc>& commands)
{
    std::vector<std::string> names;
    for (const CommandDoc& command : commands)
        names.push_back(command.name);
    std::string out = "# bash completion for pxos; generated by `pxos completions bash` from the command table.\n";
    for (const CommandDoc& command : commands) {
        out += fmt::format("{}() {{\n", shell_function_name(command.name));
        std::vector<std::string> flags, value_options;
        for (const OptionDoc& option : command.options)
            if (!option.positional)
                for (const std::string& name : option.names)
                    (option.metavar.empty() ? flags : value_options).push_back(name);
        // The value of an option being typed.
        out += "    case \"$prev\" in\n";
        for (const OptionDoc& option : command.options)
            if (!option.positional && !option.metavar.empty())
                out += fmt::format("    {}) {}; return ;;\n", fmt::join(option.names, "|"), bash_value_completion(option));
        out += "    esac\n";
        std::vector<std::string> all = flags;
        all.insert(all.end(), value_options.begin(), value_options.end());
        all.push_back("--help");
        out += fmt::format("    if [[ \"$cur\" == -* ]]; then COMPREPLY=( $(compgen -W {} -- \"$cur\") ); return; fi\n",
            single_quoted(fmt::format("{}", fmt::join(all, " "))));
        // Which positional is being typed: words after the command that are
        // neither options nor an option's value.
        out += fmt::format("    local takes={} index=0 i\n", single_quoted(fmt::format(" {} ", fmt::join(value_options, " "))));
        out += "    for (( i = 2; i < COMP_CWORD; i++ )); do\n"
               "        case \"${COMP_WORDS[i]}\" in\n"
               "        --*=*) ;;\n"
               "        -*) [[ \"$takes\" == *\" ${COMP_WORDS[i]} \"* ]] && (( i++ )) ;;\n"
               "        *) (( index++ )) ;;\n"
               "        esac\n"
               "    done\n"
               "    case $index in\n";
        std::vector<const OptionDoc*> arguments = positionals(command);
        for (std::size_t i = 0; i < arguments.size(); ++i) {
            bool last = i + 1 == arguments.size();
            std::string pattern = last && arguments[i]->repeatable ? "*" : std::to_string(i);
            out += fmt::format("    {}) {} ;;\n", pattern, bash_value_completion(*arguments[i]));
        }
        out += "    esac\n}\n";
    }
    out += "_pxos() {\n"
           "    local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
           "    COMPREPLY=()\n"
           "    if (( COMP_CWORD == 1 )); then\n";
    out += fmt::format("        COMPREPLY=( $(compgen -W {} -- \"$cur\") )\n", single_quoted(fmt::format("{} --help --version", fmt::join(names, " "))));
    out += "        return\n    fi\n    case \"${COMP_WORDS[1]}\" in\n";
    for (const CommandDoc& command : commands)
        out += fmt::format("    {}) {} ;;\n", command.name, shell_function_name(command.name));
    out += "    esac\n}\ncomplete -F _pxos pxos\n";
    return out;
}

// Inside a zsh _arguments spec: brackets and colons are syntax.
std::string zsh_escaped(std::string_view text)
{
    std::string out;
    for (char c : text) {
        if (c == '[' || c == ']' || c == ':' || c == '\\')
            out += '\\';
        out += c;
    }
    return out;
}

std::string zsh_action(const OptionDoc& option)
{
    if (!option.choices.empty())
        return fmt::format("({})", fmt::join(option.choices, " "));
    switch (option.completes()) {
    case OptionDoc::Completes::Files: return "_files";
    case OptionDoc::Completes::Directories: return "_files -/";
    case OptionDoc::Completes::Nothing: break;
    }
    return " ";
}

std::string zsh_completion(const std::vector<CommandDoc>& commands)
{
    std::string out = "#compdef pxos\n# zsh completion for pxos; generated by `pxos completions zsh` from the command table.\n";
    for (const CommandDoc& command : commands) {
        out += fmt::format("{}() {{\n    _arguments -s \\\n", shell_function_name(command.name));
        int position = 0;
        for (const OptionDoc& option : command.options) {
            std::string description = zsh_escaped(short_summary(option.description));
            std::string spec;
            if (option.positional) {
                spec = fmt::format("{}:{}:{}", option.repeatable ? "*" : std::to_string(++position),
                    zsh_escaped(option.metavar), zsh_action(option));
            } else {
                std::string names = option.names.size() > 1
                    ? fmt::format("({}){{{}}}", fmt::join(option.names, " "), fmt::join(option.names, ","))
                    : option.names.front();
                std::string value = option.metavar.empty()
                    ? std::string()
                    : fmt::format(":{}:{}", zsh_escaped(option.metavar), zsh_action(option));
                // The names' group stays outside the quotes: zsh expands {-o,--output}.
                spec = option.names.size() > 1 ? names + single_quoted("[" + description + "]" + value)
                                               : single_quoted(names + "[" + description + "]" + value);
                if (option.repeatable)
                    spec = "'*'" + spec;
                out += "        " + spec + " \\\n";
                continue;
            }
            out += "        " + single_quoted(spec) + " \\\n";
        }
        out += "        '(- *)'{-h,--help}'[Print this command'\\''s help]'\n}\n";
    }
    out += "_pxos() {\n    local -a commands\n    commands=(\n";
    for (const CommandDoc& command : commands)
        out += "        " + single_quoted(command.name + ":" + zsh_escaped(short_summary(command.summary))) + "\n";
    out += "    )\n"
           "    if (( CURRENT == 2 )); then\n"
           "        _describe -t commands 'pxos command' commands\n"
           "        return\n"
           "    fi\n"
           "    local command=${words[2]}\n"
           "    shift words\n"
           "    (( CURRENT-- ))\n"
           "    case $command in\n";
    for (const CommandDoc& command : commands)
        out += fmt::format("    {}) {} ;;\n", command.name, shell_function_name(command.name));
    out += "    esac\n}\n_pxos \"$@\"\n";
    return out;
}

std::string fish_completion(const std::vector<CommandDoc>& commands)
{
    std::vector<std::string> names;
    for (const CommandDoc& command : commands)
        names.push_back(command.name);
    std::string out = "# fish completion for pxos; generated by `pxos completions fish` from the command table.\n"
                      "complete -c pxos -f\n";
    for (const CommandDoc& command : commands)
        out += fmt::format("complete -c pxos -n __fish_use_subcommand -a {} -d {}\n", command.name,
            single_quoted(short_summary(command.summary)));
    for (const CommandDoc& command : commands) {
        std::string when = single_quoted("__fish_seen_subcommand_from " + command.name);
        for (const OptionDoc& option : command.options) {
            std::string value;
            if (!option.choices.empty())
                value = fmt::format(" -x -a {}", single_quoted(fmt::format("{}", fmt::join(option.choices, " "))));
            else if (option.completes() != OptionDoc::Completes::Nothing)
                value = option.positional ? " -F" : " -r -F";
            else if (!option.metavar.empty() && !option.positional)
                value = " -x";
            if (option.positional) {
                if (!value.empty())
                    out += fmt::format("complete -c pxos -n {}{}\n", when, value);
                continue;
            }
            std::string flags;
            for (const std::string& name : option.names)
                flags += name.starts_with("--") ? " -l " + name.substr(2) : " -s " + name.substr(1);
            out += fmt::format("complete -c pxos -n {}{}{} -d {}\n", when, flags, value,
                single_quoted(short_summary(option.description)));
        }
    }
    return out;
}

// Text for roff: backslashes and hyphens escaped, no line starting with a
// control character.
std::string roff(std::string_view text)
{
    std::string out;
    for (char c : text) {
        if (c == '\\')
            out += "\\e";
        else if (c == '-')
            out += "\\-";
        else
            out += c;
    }
    if (!out.empty() && (out.front() == '.' || out.front() == '\''))
        out.insert(0, "\\&");
    return out;
}

} // namespace

OptionDoc::Completes OptionDoc::completes() const
{
    if (metavar.find("DIR") != std::string::npos)
        return Completes::Directories;
    if (metavar.find("FILE") != std::string::npos || metavar.find('.') != std::string::npos)
        return Completes::Files;
    return Completes::Nothing;
}

std::string render_command_help(const CommandDoc& command)
{
    std::string out = fmt::format("pxos {}: {}\n\nUsage: {}\n", command.name, command.summary, usage_line(command));
    std::vector<std::string> groups;
    for (const OptionDoc& option : command.options)
        if (std::find(groups.begin(), groups.end(), option.group) == groups.end())
            groups.push_back(option.group);
    for (const std::string& group : groups) {
        out += "\n" + group + ":\n";
        for (const OptionDoc& option : command.options) {
            if (option.group != group)
                continue;
            std::string left = "  " + option_left_column(option);
            std::vector<std::string> lines = wrap(option_description(option), kHelpWidth - kLeftColumn);
            if (left.size() + 2 > kLeftColumn) {
                out += left + "\n";
                left.clear();
            }
            for (const std::string& line : lines) {
                out += left + std::string(kLeftColumn - left.size(), ' ') + line + "\n";
                left.clear();
            }
        }
    }
    if (!command.notes.empty()) {
        out += "\n";
        append_wrapped(out, command.notes, 0);
    }
    if (!command.examples.empty()) {
        out += "\nExamples:\n";
        for (const ExampleDoc& example : command.examples) {
            out += "  " + example.command + "\n";
            append_wrapped(out, example.meaning, 6);
        }
    }
    if (!command.exit_codes.empty()) {
        out += "\nExit status:\n";
        for (const ExitCodeDoc& exit : command.exit_codes) {
            std::vector<std::string> lines = wrap(exit.meaning, kHelpWidth - 7);
            out += fmt::format("  {:<5}{}\n", exit.code, lines.front());
            for (std::size_t i = 1; i < lines.size(); ++i)
                out += std::string(7, ' ') + lines[i] + "\n";
        }
    }
    return out;
}

std::string render_command_list(const std::vector<CommandDoc>& commands, std::string_view version)
{
    std::string out = fmt::format("pxos {}: an operating system that lives in pixels\n\n"
                                  "Usage: pxos COMMAND [OPTIONS] [ARGUMENTS]\n",
        version);
    std::vector<std::string> groups;
    std::size_t width = 0;
    for (const CommandDoc& command : commands) {
        width = std::max(width, command.name.size());
        if (std::find(groups.begin(), groups.end(), command.group) == groups.end())
            groups.push_back(command.group);
    }
    for (const std::string& group : groups) {
        out += "\n" + group + ":\n";
        for (const CommandDoc& command : commands) {
            if (command.group != group)
                continue;
            std::size_t indent = 2 + width + 2;
            std::vector<std::string> lines = wrap(command.summary, kHelpWidth - indent);
            out += fmt::format("  {:<{}}  {}\n", command.name, width, lines.front());
            for (std::size_t i = 1; i < lines.size(); ++i)
                out += std::string(indent, ' ') + lines[i] + "\n";
        }
    }
    out += "\nRun 'pxos help COMMAND' (or 'pxos COMMAND --help') for a command's options, examples and exit status;\n"
           "'pxos man' prints the manual page. Results go to stdout; progress and errors to stderr.\n";
    return out;
}

bool parse_shell(std::string_view name, Shell& shell)
{
    if (name == "bash")
        shell = Shell::Bash;
    else if (name == "zsh")
        shell = Shell::Zsh;
    else if (name == "fish")
        shell = Shell::Fish;
    else
        return false;
    return true;
}

std::string render_completion(const std::vector<CommandDoc>& commands, Shell shell)
{
    switch (shell) {
    case Shell::Bash: return bash_completion(commands);
    case Shell::Zsh: return zsh_completion(commands);
    case Shell::Fish: return fish_completion(commands);
    }
    return {};
}

std::string render_man_page(const std::vector<CommandDoc>& commands, std::string_view version)
{
    std::string out = "'\\\" t\n.\\\" pxos.1: generated by `pxos man` from the command table; do not edit.\n";
    out += fmt::format(".TH PXOS 1 \"\" \"pxos {}\" \"User Commands\"\n", roff(version));
    out += ".SH NAME\npxos \\- an operating system that lives in pixels\n"
           ".SH SYNOPSIS\n.B pxos\n.I COMMAND\n.RI [ OPTIONS ]\n.RI [ ARGUMENTS ]\n"
           ".SH DESCRIPTION\n"
           "pxos builds an operating system that is an RGBA image: roadmaps (YAML) say which compiled\\-in steps "
           "paint it, a pixel machine boots its kernel and runs its processes, an evaluator scores it and a loop "
           "improves its roadmap generation after generation. Results go to standard output; progress and errors "
           "to standard error. Wherever a command reads or writes a file, \\fB\\-\\fR means standard input or "
           "output.\n.SH COMMANDS\n";
    for (const CommandDoc& command : commands) {
        out += fmt::format(".SS \"{}\"\n{}\n", roff(usage_line(command)), roff(command.summary));
        for (const OptionDoc& option : command.options) {
            out += ".TP\n";
            if (option.positional) {
                out += fmt::format(".I {}\n", roff(option.metavar));
            } else {
                std::string names;
                for (const std::string& name : option.names)
                    names += (names.empty() ? "" : ", ") + fmt::format("\\fB{}\\fR", roff(name));
                if (!option.metavar.empty())
                    names += fmt::format(" \\fI{}\\fR", roff(option.metavar));
                out += names + "\n";
            }
            out += roff(option_description(option)) + "\n";
        }
        if (!command.notes.empty())
            out += ".PP\n" + roff(command.notes) + "\n";
        if (!command.examples.empty()) {
            out += ".PP\nExamples:\n";
            for (const ExampleDoc& example : command.examples)
                out += fmt::format(".TP\n.B {}\n{}\n", roff(example.command), roff(example.meaning));
        }
        if (!command.exit_codes.empty()) {
            out += ".PP\nExit status:\n";
            for (const ExitCodeDoc& exit : command.exit_codes)
                out += fmt::format(".TP\n.B {}\n{}\n", exit.code, roff(exit.meaning));
        }
    }
    out += ".SH ENVIRONMENT\n.TP\n.B PXOS_LLM_CMD\nThe LLM command of \\fBpxos loop\\fR when no \\fB\\-\\-llm\\-cmd\\fR "
           "is given.\n.TP\n.B NO_COLOR\nWhen set, \\fB\\-\\-color=auto\\fR means no colour.\n"
           ".SH SEE ALSO\nREADME.md and docs/ in the pxos sources.\n";
    return out;
}

} // namespace pxos::cli
