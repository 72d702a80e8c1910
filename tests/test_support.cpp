#include "test_support.hpp"

#include "builtin_steps.hpp"
#include "pxos/host/posix/file_system.hpp"
#include "pxos/roadmap/build.hpp"
#include "pxos/roadmap/roadmap.hpp"
#include "pxos/abi/syscalls.hpp"

#include <catch2/catch.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <zlib.h>

namespace pxos::test {

std::string unescape(const std::string& text)
{
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) {
            char c = text[++i];
            out += c == 'n' ? '\n' : c == 't' ? '\t' : c;
        } else {
            out += text[i];
        }
    }
    return out;
}

const pxos::Check& check_of(const pxos::EvalResult& result, const std::string& id)
{
    for (const pxos::Check& check : result.checks)
        if (check.id == id)
            return check;
    FAIL("no check " << id);
    return result.checks.front();
}

FileSystem& files()
{
    static PosixFileSystem posix;
    return posix;
}

BuildOptions on_disk()
{
    BuildOptions options;
    options.files = &files();
    return options;
}

ScratchDirectory::ScratchDirectory()
{
    std::string pattern = (std::filesystem::temp_directory_path() / "pxos-test-XXXXXX").string();
    char* made = ::mkdtemp(pattern.data());
    if (!made)
        throw std::runtime_error("mkdtemp failed");
    m_path = made;
}

ScratchDirectory::~ScratchDirectory()
{
    std::error_code error;
    std::filesystem::remove_all(m_path, error);
}

std::string ScratchDirectory::write(const std::string& name, const std::string& contents) const
{
    std::filesystem::path path = m_path / name;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << contents;
    return path.string();
}

std::string ScratchDirectory::write_kernel(const std::string& name, const std::string& contents) const
{
    std::string path = write(name, contents);
    std::filesystem::path included = std::filesystem::path(path).parent_path() / "kernel";
    std::filesystem::create_directories(included);
    for (const auto& entry : std::filesystem::directory_iterator(source_path("roadmaps/kernel")))
        std::filesystem::copy_file(entry.path(), included / entry.path().filename(),
            std::filesystem::copy_options::overwrite_existing);
    return path;
}

std::vector<std::string> ScratchDirectory::list() const
{
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(m_path))
        names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

std::string read_text(const std::string& path)
{
    std::ifstream file(path, std::ios::binary);
    std::stringstream buffer;
    buffer << file.rdbuf();
    return buffer.str();
}

std::vector<std::uint8_t> read_bytes(const std::string& path)
{
    std::string text = read_text(path);
    return std::vector<std::uint8_t>(text.begin(), text.end());
}

std::string shell_quoted(const std::string& text)
{
    std::string out = "'";
    for (char c : text)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

CommandResult run_shell(const std::string& command, const std::filesystem::path& cwd)
{
    ScratchDirectory capture;
    std::string line = "cd '" + cwd.string() + "' && ( " + command + " ) >'" + capture.file("out") + "' 2>'"
        + capture.file("err") + "' </dev/null";
    int status = std::system(line.c_str());
    CommandResult result;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result.out = read_text(capture.file("out"));
    result.err = read_text(capture.file("err"));
    return result;
}

int build_with_pxos(const std::string& roadmap, const std::string& output, const std::filesystem::path& cwd)
{
    return run_pxos("build " + shell_quoted(source_path(roadmap)) + " -q -o " + shell_quoted(output), cwd).exit_code;
}

CommandResult run_pxos(const std::string& arguments, const std::filesystem::path& cwd)
{
    return run_shell(std::string("'") + PXOS_BINARY + "' " + arguments, cwd);
}

std::vector<std::uint8_t> png_chunk(const std::string& type, const std::vector<std::uint8_t>& data)
{
    std::vector<std::uint8_t> chunk;
    auto put32 = [&](std::uint32_t value) {
        for (int shift = 24; shift >= 0; shift -= 8)
            chunk.push_back(std::uint8_t(value >> shift));
    };
    put32(std::uint32_t(data.size()));
    chunk.insert(chunk.end(), type.begin(), type.end());
    chunk.insert(chunk.end(), data.begin(), data.end());
    put32(std::uint32_t(crc32(0, chunk.data() + 4, uInt(4 + data.size()))));
    return chunk;
}

std::vector<std::uint8_t> make_png(std::uint32_t width, std::uint32_t height, int bit_depth, int color_type,
    const std::vector<std::uint8_t>& raw_scanlines, const std::vector<std::uint8_t>& palette,
    const std::vector<std::uint8_t>& transparency, int interlace)
{
    std::vector<std::uint8_t> png = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    std::vector<std::uint8_t> header;
    for (std::uint32_t value : { width, height })
        for (int shift = 24; shift >= 0; shift -= 8)
            header.push_back(std::uint8_t(value >> shift));
    header.insert(header.end(), { std::uint8_t(bit_depth), std::uint8_t(color_type), 0, 0, std::uint8_t(interlace) });
    auto append = [&](const std::vector<std::uint8_t>& chunk) { png.insert(png.end(), chunk.begin(), chunk.end()); };
    append(png_chunk("IHDR", header));
    if (!palette.empty())
        append(png_chunk("PLTE", palette));
    if (!transparency.empty())
        append(png_chunk("tRNS", transparency));
    uLongf bound = compressBound(uLong(raw_scanlines.size()));
    std::vector<std::uint8_t> compressed(bound);
    compress2(compressed.data(), &bound, raw_scanlines.data(), uLong(raw_scanlines.size()), 6);
    compressed.resize(bound);
    append(png_chunk("IDAT", compressed));
    append(png_chunk("IEND", {}));
    return png;
}

std::string source_path(const std::string& relative)
{
    return (std::filesystem::path(PXOS_SOURCE_DIR) / relative).string();
}

} // namespace pxos::test

namespace pxos::test {

namespace {

// Indents every line of `text` for a YAML block scalar.
std::string indented(const std::string& text, const std::string& indent)
{
    std::string out;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        out += indent + text.substr(start, end - start) + "\n";
        start = end + 1;
    }
    return out;
}

OsImage build_from_yaml(const std::string& yaml)
{
    auto roadmap = parse_roadmap(yaml, "test.yaml", steps::builtin_registry());
    if (!roadmap.ok())
        FAIL(roadmap.error().message());
    BuildOptions options;
    options.files = &files();
    auto built = build_roadmap(*roadmap, options);
    if (!built.ok())
        FAIL(built.error().message());
    return OsImage { std::move(built->vram), std::move(built->source_map) };
}

} // namespace

OsImage build_roadmap_file(const std::string& path)
{
    auto roadmap = load_roadmap(files(), path, steps::builtin_registry());
    if (!roadmap.ok())
        FAIL(roadmap.error().message());
    BuildOptions options;
    options.files = &files();
    auto built = build_roadmap(*roadmap, options);
    if (!built.ok())
        FAIL(built.error().message());
    return OsImage { std::move(built->vram), std::move(built->source_map) };
}

OsImage build_roadmap_text(const std::string& yaml)
{
    return build_from_yaml(yaml);
}

OsImage build_os(const std::vector<ProgramSpec>& programs, int quantum)
{
    std::string yaml = "steps:\n  - step: init_background\n  - step: layout_regions\n  - step: write_isa_palette\n"
                       "  - step: install_kernel\n    params:\n      kernel_file: '"
        + source_path("roadmaps/kernel.pxasm") + "'\n      quantum: " + std::to_string(quantum) + "\n";
    for (const ProgramSpec& program : programs) {
        yaml += "  - step: add_process\n    params:\n      autostart: " + std::string(program.autostart ? "true" : "false")
            + "\n      memory_rows: " + std::to_string(program.memory_rows) + "\n";
        if (!program.file.empty())
            yaml += "      program_file: '" + program.file + "'\n";
        else
            yaml += "      program_source: |\n" + indented(program.source, "        ");
    }
    return build_from_yaml(yaml);
}

SnippetRun run_snippet(const std::string& snippet, std::uint64_t max_steps)
{
    std::string kernel = "kernel_entry:\n" + snippet + "\n    HALT\ntrap_handler:\n";
    for (const SyscallInfo& call : kSyscalls)
        kernel += "sys_" + std::string(call.name) + ":\n";
    kernel += "    HALT\n";
    std::string yaml = "steps:\n  - step: init_background\n  - step: layout_regions\n  - step: write_isa_palette\n"
                       "  - step: install_kernel\n    params:\n      kernel_source: |\n"
        + indented(kernel, "        ");
    OsImage image = build_from_yaml(yaml);
    auto machine = Machine::boot(std::move(image.vram), "snippet.png");
    if (!machine.ok())
        FAIL(machine.error().message());
    SnippetRun run;
    run.result = (*machine)->run(max_steps);
    run.registers = (*machine)->registers(false);
    run.machine = std::move(*machine);
    return run;
}

int start_pxos(const std::vector<std::string>& arguments, const std::filesystem::path& cwd,
    const std::string& out_file, const std::string& err_file)
{
    std::vector<std::string> words { PXOS_BINARY };
    words.insert(words.end(), arguments.begin(), arguments.end());
    std::vector<char*> argv;
    for (std::string& word : words)
        argv.push_back(word.data());
    argv.push_back(nullptr);
    std::string directory = cwd.string();
    std::string out = (cwd / out_file).string(), err = (cwd / err_file).string();
    pid_t pid = ::fork();
    if (pid == 0) {
        int in = ::open("/dev/null", O_RDONLY);
        int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || out_fd < 0 || err_fd < 0 || ::chdir(directory.c_str()) != 0)
            ::_exit(127);
        ::dup2(in, 0);
        ::dup2(out_fd, 1);
        ::dup2(err_fd, 2);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    return pid;
}

int wait_for_pid_file(const std::string& path, double seconds)
{
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    do {
        std::string text = read_text(path);
        if (!text.empty() && text.back() == '\n')
            return std::atoi(text.c_str());
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    } while (std::chrono::steady_clock::now() < deadline);
    return 0;
}

bool process_ends(int pid, double seconds)
{
    if (pid <= 0)
        return false;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    do {
        ::waitpid(pid, nullptr, WNOHANG); // reaped if it re-parented to the test (a subreaper once it ran an LLM command)
        if (::kill(pid, 0) != 0 && errno == ESRCH)
            return true;
        std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
        std::size_t close = stat.rfind(')');
        if (close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z')
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    } while (std::chrono::steady_clock::now() < deadline);
    return false;
}

} // namespace pxos::test
