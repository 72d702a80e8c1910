#include "fs_support.hpp"

#include "pxos/abi/boot_header.hpp"
#include "pxos/abi/os.hpp"
#include "pxos/abi/store.hpp"
#include "pxos/store/store.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

namespace pxos::test {

const char* const kFsTestLibrary = R"(
; ---- the test library
puts:
    MOV r2, r1
    LI r3, 0
puts_count:
    LOADX r0, r2, r3
    JZ r0, puts_write
    ADDI r3, r3, 1
    JMP puts_count
puts_write:
    LI r1, 1
    SYSCALL SYS_WRITE
    RET
putn:
    SYSCALL SYS_PRINT_INT
    LI r1, 1
    LI r2, lib_space
    LI r3, 1
    SYSCALL SYS_WRITE
    RET
newline:
    LI r1, 1
    LI r2, lib_newline
    LI r3, 1
    SYSCALL SYS_WRITE
    RET
lib_space: .string " "
lib_newline: .string "\n"
)";

SimulatedVRAM build_fs_image(const std::vector<std::string>& sources, int log_blocks)
{
    std::string yaml = "metadata: {vram_width: 512, vram_height: 1024}\nsteps:\n  - step: init_background\n"
                       "  - step: layout_regions\n  - step: write_isa_palette\n"
                       "  - step: install_kernel\n    params:\n      kernel_file: '"
        + source_path("roadmaps/kernel.pxasm") + "'\n      quantum: 1000\n  - step: format_store\n    params: {log_blocks: "
        + std::to_string(log_blocks) + "}\n";
    for (const std::string& source : sources) {
        yaml += "  - step: add_process\n    params:\n      memory_rows: 8\n      program_source: |\n";
        std::string text = source + kFsTestLibrary;
        std::size_t start = 0;
        while (start < text.size()) {
            std::size_t end = text.find('\n', start);
            if (end == std::string::npos)
                end = text.size();
            yaml += "        " + text.substr(start, end - start) + "\n";
            start = end + 1;
        }
    }
    return build_roadmap_text(yaml).vram;
}

std::vector<std::uint32_t> store_of(const SimulatedVRAM& vram)
{
    auto header = read_header(vram, "fs.png");
    REQUIRE(header.ok());
    const std::uint32_t* words = vram.words() + header->store_base;
    return std::vector<std::uint32_t>(words, words + header->store_words);
}

void undo_store(std::vector<std::uint32_t>& store)
{
    auto undone = store::recover(store, "store");
    if (!undone.ok())
        FAIL(undone.error().message());
}

std::string store_problems(const std::vector<std::uint32_t>& words)
{
    std::string problems;
    if (std::uint32_t count = words[std::size_t(abi::store::Superblock::LOG_COUNT)]; count != 0)
        problems += fmt::format("the log holds {} entries\n", count);
    store::CheckReport report = store::check(words);
    for (const store::Problem& problem : report.problems)
        problems += problem.line() + "\n";
    return problems;
}

std::vector<std::uint32_t> read_store_file(const std::vector<std::uint32_t>& words, const std::string& path, bool* found)
{
    if (found)
        *found = false;
    std::vector<std::uint32_t> copy = words;
    auto opened = store::Store::open(copy, "store");
    if (!opened.ok())
        FAIL(opened.error().message());
    auto data = opened->read_file(path);
    if (!data.ok())
        return {};
    if (found)
        *found = true;
    return *data;
}

FsRun run_fs_image(SimulatedVRAM vram, std::uint64_t max_steps, const std::string& input, const std::string& image_name)
{
    auto machine = Machine::boot(std::move(vram), image_name);
    if (!machine.ok())
        FAIL(machine.error().message());
    (*machine)->set_input(input);
    FsRun run;
    run.result = (*machine)->run(max_steps);
    run.output = (*machine)->console_output();
    run.processes = (*machine)->processes();
    run.machine = std::move(*machine);
    return run;
}

FsRun run_fs_program(const std::string& source, std::uint64_t max_steps)
{
    return run_fs_image(build_fs_image({ source }), max_steps);
}

} // namespace pxos::test
