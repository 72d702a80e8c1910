#include "pxos/eval/rubric.hpp"

#include "eval/evaluation.hpp"
#include "pxos/abi/syscalls.hpp"
#include "pxos/isa/isa.hpp"

#include <array>
#include <fmt/format.h>

namespace pxos {

namespace {

constexpr std::array kGroups {
    RubricGroup { CheckGroup::Seed, "seed", nullptr },
    RubricGroup { CheckGroup::Structure, "structure", nullptr },
    RubricGroup { CheckGroup::Kernel, "kernel", nullptr },
    RubricGroup { CheckGroup::Execution, "execution", &Evaluation::run_twice },
    RubricGroup { CheckGroup::Isolation, "isolation", &Evaluation::run_probes },
};

constexpr Repair kKernel { "install_kernel", "" };

constexpr std::array kChecks {
    RubricCheck { "seed.metadata_initialized", CheckGroup::Seed, 1, "pixel (10,2) has a non-zero R, G or B",
        { "write_boot_banner", "" }, &Evaluation::check_metadata_initialized },
    RubricCheck { "seed.opcode_palette_sufficient", CheckGroup::Seed, 1,
        "the 16 pixels at x = i * width / 16, y = 24 hold at least 4 distinct RGBA values", { "write_isa_palette", "" },
        &Evaluation::check_opcode_palette_sufficient },
    RubricCheck { "seed.hello_program_exists", CheckGroup::Seed, 1,
        "some pixel of the 32x8 block at (32,232) has an RGB other than (20,20,20)", { "write_hello_program", "" },
        &Evaluation::check_hello_program_exists },
    RubricCheck { "seed.all_regions_ok", CheckGroup::Seed, 1,
        "the centre pixels of metadata, kernel, syscall_table and process_table are within 10 of their band colours "
        "on R, G and B",
        { "layout_regions", "" }, &Evaluation::check_all_regions_ok },

    RubricCheck { "structure.header", CheckGroup::Structure, 1,
        "the boot header at {header} has the magic `PXOS` and ISA version {isa_version}, and its pointers lie inside "
        "the image",
        kKernel, &Evaluation::check_header },
    RubricCheck { "structure.header_pointers", CheckGroup::Structure, 1,
        "kernel entry and trap vector lie in the kernel region, the syscall table ({syscalls} entries) in the "
        "syscall_table region, the process table in the process_table region, the palette in the palette region, "
        "the display area in the program area",
        kKernel, &Evaluation::check_header_pointers },
    RubricCheck { "structure.regions", CheckGroup::Structure, 1,
        "every region with a band colour has at least half of its pixels in that colour", { "layout_regions", "" },
        &Evaluation::check_regions },
    RubricCheck { "structure.palette", CheckGroup::Structure, 2,
        "the {opcodes} palette cells at ({palette_cell}i, {palette_row}) hold exactly the opcode table's colours, "
        "all distinct",
        { "write_isa_palette", "" }, &Evaluation::check_palette },

    RubricCheck { "kernel.boots", CheckGroup::Kernel, 1,
        "the machine accepts the header and the image's palette, and the kernel entry decodes to an instruction",
        kKernel, &Evaluation::check_boots },
    RubricCheck { "kernel.syscall_table", CheckGroup::Kernel, 1,
        "every syscall table entry points into the kernel region at an instruction", kKernel,
        &Evaluation::check_syscall_table },
    RubricCheck { "kernel.process_table", CheckGroup::Kernel, 1,
        "at least one PCB is ready; every used PCB has a valid state, pid = slot + 1, memory inside the program "
        "area, entry and stack base inside its memory, no overlap with another process or the display area",
        { "add_process", "builtin:hello.pxasm" }, &Evaluation::check_process_table },

    RubricCheck { "execution.clean_exit", CheckGroup::Execution, 2,
        "the kernel halts with code 0 and every started process exited with 0", kKernel,
        &Evaluation::check_clean_exit },
    RubricCheck { "execution.hello", CheckGroup::Execution, 1, "the console output contains `{hello}`",
        { "add_process", "builtin:hello.pxasm" }, &Evaluation::check_hello },
    RubricCheck { "execution.display_changed", CheckGroup::Execution, 1,
        "some pixel of the display area differs after the run", { "add_process", "builtin:draw.pxasm" },
        &Evaluation::check_display_changed },
    RubricCheck { "execution.no_faults", CheckGroup::Execution, 1, "no process faulted and the kernel did not panic",
        kKernel, &Evaluation::check_no_faults },
    RubricCheck { "execution.deterministic", CheckGroup::Execution, 1,
        "a second boot gives the same output, pixels and step count", kKernel, &Evaluation::check_deterministic },

    RubricCheck { "isolation.kernel_write", CheckGroup::Isolation, 1,
        "a probe that stores into the kernel region faults with MemoryViolation", kKernel,
        &Evaluation::check_kernel_write },
    RubricCheck { "isolation.privileged", CheckGroup::Isolation, 1, "a probe that executes HALT faults with Privileged",
        kKernel, &Evaluation::check_privileged },
    RubricCheck { "isolation.endless_loop", CheckGroup::Isolation, 1,
        "a probe that jumps to itself forever is preempted (still runnable when the others are done)", kKernel,
        &Evaluation::check_endless_loop },
    RubricCheck { "isolation.syscall_table_write", CheckGroup::Isolation, 1,
        "a probe that tries to rewrite the syscall table by way of the display area (`SYS_DRAW` at display-relative "
        "coordinates that land on the table, then `PSET` straight onto it) is refused the draw, faults with "
        "MemoryViolation on the PSET, and leaves the syscall table unchanged",
        kKernel, &Evaluation::check_syscall_table_write },
};

static_assert([] {
    for (std::size_t i = 0; i < kGroups.size(); ++i)
        if (std::size_t(kGroups[i].group) != i || kGroups[i].name.empty())
            return false;
    return true;
}(), "kGroups rows must follow the CheckGroup enum's order, each with a name");

// The result lists the checks in the table's order, so a group's rows are
// together and the groups in their order; an id is its group's name, a
// dot and a name, once; every row has points, a line and a repair. (That
// each has a function is checked by tests/eval/rubric_test.cpp: GCC cannot
// compare a member-function pointer in a constant expression under
// -fsanitize=undefined.)
static_assert([] {
    std::size_t group = 0;
    for (std::size_t i = 0; i < kChecks.size(); ++i) {
        const RubricCheck& row = kChecks[i];
        if (std::size_t(row.group) < group || std::size_t(row.group) > group + 1)
            return false;
        group = std::size_t(row.group);
        std::string_view name = kGroups[group].name;
        if (row.id.size() <= name.size() + 1 || row.id.substr(0, name.size()) != name || row.id[name.size()] != '.')
            return false;
        if (row.points < 1 || row.checks.empty() || row.repair.step.empty())
            return false;
        for (std::size_t j = 0; j < i; ++j)
            if (kChecks[j].id == row.id)
                return false;
    }
    return group + 1 == kGroups.size();
}(), "kChecks: rows grouped in CheckGroup order, every group present, ids 'group.name' and unique, "
     "points >= 1, and a line and a repair each");

std::string plural(int count, std::string_view one, std::string_view many)
{
    return fmt::format("{} {}", count, count == 1 ? one : many);
}

std::string repair_text(const Repair& repair)
{
    return repair.program.empty() ? fmt::format("`{}`", repair.step)
                                  : fmt::format("`{}` (`{}`)", repair.step, repair.program);
}

} // namespace

std::span<const RubricCheck> rubric()
{
    return kChecks;
}

std::span<const RubricGroup> rubric_groups()
{
    return kGroups;
}

const RubricGroup& rubric_group(CheckGroup group)
{
    return kGroups[std::size_t(group)];
}

const RubricCheck* find_rubric_check(std::string_view id)
{
    for (const RubricCheck& check : kChecks)
        if (check.id == id)
            return &check;
    return nullptr;
}

int rubric_points()
{
    int points = 0;
    for (const RubricCheck& check : kChecks)
        points += check.points;
    return points;
}

std::string rubric_check_text(const RubricCheck& check)
{
    return fmt::format(fmt::runtime(check.checks), fmt::arg("syscalls", kSyscalls.size()),
        fmt::arg("opcodes", isa::kOpcodeCount), fmt::arg("header", at(0, isa::kHeaderRow)),
        fmt::arg("isa_version", isa::kVersion), fmt::arg("palette_cell", isa::kPaletteCellWidth),
        fmt::arg("palette_row", region(RegionId::OpcodePalette).rect.y), fmt::arg("hello", kHelloLine));
}

std::string rubric_group_markdown(CheckGroup group)
{
    int checks = 0, points = 0;
    std::string rows;
    for (const RubricCheck& check : kChecks) {
        if (check.group != group)
            continue;
        ++checks;
        points += check.points;
        rows += fmt::format("| `{}` | {} | {} | {} |\n", check.id, check.points, rubric_check_text(check),
            repair_text(check.repair));
    }
    return fmt::format("## {} ({}, {})\n\n| check | points | passes when | repair |\n|---|---|---|---|\n{}",
        rubric_group(group).name, plural(checks, "check", "checks"), plural(points, "point", "points"), rows);
}

std::string rubric_markdown()
{
    std::string text;
    for (const RubricGroup& group : kGroups)
        text += (text.empty() ? "" : "\n") + rubric_group_markdown(group.group);
    return text;
}

} // namespace pxos
