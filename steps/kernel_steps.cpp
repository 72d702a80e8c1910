// Steps that make the image a bootable OS: the ISA palette, the kernel (with
// its syscall table and the boot header) and user processes, assembled from
// pxasm into the image.
#include "builtin_steps.hpp"

#include "pxos/abi/boot_header.hpp"
#include "pxos/abi/process.hpp"
#include "pxos/asm/assembler.hpp"
#include "pxos/asm/assembly_cache.hpp"
#include "pxos/asm/builtin_sources.hpp"
#include "pxos/isa/decoder.hpp"
#include "pxos/base/file_system.hpp"
#include "pxos/isa/isa.hpp"
#include "pxos/image/layout.hpp"
#include "pxos/abi/syscalls.hpp"

#include <filesystem>
#include <fmt/format.h>

namespace pxos::steps {

namespace {

// Addresses [begin, end) of the rows a layout region covers.
std::pair<std::uint32_t, std::uint32_t> region_rows(RegionId id, int width)
{
    const Rect& rect = region(id).rect;
    return { std::uint32_t(rect.y) * std::uint32_t(width), std::uint32_t(rect.y + rect.height) * std::uint32_t(width) };
}

Result<void> require_size(const SimulatedVRAM& vram, std::string_view what)
{
    if (vram.width() < 512 || vram.height() < 512)
        return Error::bad_input("", fmt::format("{} needs a VRAM of at least 512x512 (the layout's size), this one is "
                                                "{}x{}",
                                        what, vram.width(), vram.height()));
    return {};
}

} // namespace

// Assembles the step's pxasm, from a file (relative to the roadmap) or inline.
Result<Program> assemble_step_source(StepContext& step, std::string_view file_param, std::string_view source_param,
    AssembleOptions options)
{
    bool has_file = step.has_own(file_param);
    bool has_source = step.has_own(source_param);
    if (has_file && has_source)
        return Error::bad_input(step.where(), fmt::format("give either '{}' or '{}', not both", file_param, source_param));
    // Includes of inline source resolve against the roadmap's folder, those
    // of a file against the file's (docs/PXASM.md).
    if (has_source) {
        options.include_folder = step.roadmap_folder();
        std::string name = fmt::format("{}({})", step.where(), source_param);
        return step.assemblies() ? step.assemblies()->assemble(step.string(source_param), name, options)
                                 : assemble(step.string(source_param), name, options);
    }
    std::string file = step.string(file_param);
    if (file.empty())
        return Error::bad_input(step.where(), fmt::format("needs '{}' (a pxasm file) or '{}' (pxasm text)", file_param,
                                                  source_param));
    if (file.rfind(kBuiltinPrefix, 0) == 0) {
        auto text = builtin_source(std::string_view(file).substr(kBuiltinPrefix.size()));
        if (!text) {
            std::string names;
            for (std::string_view name : builtin_source_names())
                names += fmt::format("{}{}{}", names.empty() ? "" : ", ", kBuiltinPrefix, name);
            return Error::bad_input(step.where(), fmt::format("{} '{}' is not a built-in source (built-in: {})",
                                                      file_param, file, names));
        }
        // A built-in source includes other built-in sources (the kernel's
        // files under roadmaps/kernel/), never files on disk.
        options.include_folder.clear();
        options.read_include = [](const std::string& path) -> Result<std::string> {
            if (auto included = builtin_source(path))
                return std::string(*included);
            return Error::bad_input(path, "not a built-in source");
        };
        return step.assemblies() ? step.assemblies()->assemble(*text, file, options) : assemble(*text, file, options);
    }
    // The name as given goes through the rule on paths before it is joined
    // and normalised (which would fold "k.pxasm\0/.." away).
    if (auto named = check_readable_name(file); !named)
        return Error::bad_input(step.where(), fmt::format("{} '{}': {}", file_param, printable_path(file),
                                                  named.error().diagnostics().front().message));
    std::filesystem::path path(file);
    if (path.is_relative())
        path = std::filesystem::path(step.roadmap_folder()) / path;
    std::string normal = path.lexically_normal().string();
    return step.assemblies() ? step.assemblies()->assemble_file(normal, options) : assemble_file(normal, options);
}

Result<void> write_isa_palette(StepContext& step)
{
    SimulatedVRAM& vram = step.vram();
    const Rect palette = region(RegionId::OpcodePalette).rect;
    vram.fill_rect(palette, step.color("palette_fill_color"));
    for (const isa::OpcodeInfo& entry : isa::kOpcodes)
        vram.fill_rect(Rect { int(entry.opcode) * isa::kPaletteCellWidth, palette.y, isa::kPaletteCellWidth,
                           palette.height },
            entry.color);
    step.set("opcode_palette_written", true);
    step.set("opcode_count", std::int64_t(isa::kOpcodeCount));
    return {};
}

Result<void> install_kernel(StepContext& step)
{
    SimulatedVRAM& vram = step.vram();
    PXOS_TRY(require_size(vram, "install_kernel"));
    int width = vram.width();
    Rect display { int(step.integer("display_x")), int(step.integer("display_y")), int(step.integer("display_width")),
        int(step.integer("display_height")) };
    if (display.empty() || !(display.intersected(vram.bounds()) == display))
        return Error::bad_input(step.where(), fmt::format("display area {}x{} at ({},{}) is empty or outside the "
                                                          "{}x{} VRAM",
                                                  display.width, display.height, display.x, display.y, width,
                                                  vram.height()));

    AssembleOptions options;
    options.limits = step.code_limits();
    options.files = step.files();
    options.vram_width = width;
    options.vram_height = vram.height();
    auto [kernel_begin, kernel_end] = region_rows(RegionId::Kernel, width);
    options.origin = kernel_begin;
    options.allowed_range = { kernel_begin, kernel_end };
    options.allowed_range_name = "the kernel region";
    options.predefined["QUANTUM"] = step.integer("quantum");
    auto program = assemble_step_source(step, "kernel_file", "kernel_source", options);
    if (!program)
        return std::move(program).error();

    std::vector<std::string> missing;
    for (std::string_view required : { "kernel_entry", "trap_handler" })
        if (!program->symbol(std::string(required)))
            missing.push_back(std::string(required));
    auto [syscall_begin, syscall_end] = region_rows(RegionId::SyscallTable, width);
    // A kernel that defines `sys_nosys` may leave calls out: their table
    // entries point at it (a kernel grows a call at a time).
    std::vector<std::uint32_t> handlers;
    auto nosys = program->symbol("sys_nosys");
    for (const SyscallInfo& call : kSyscalls) {
        std::string label = "sys_" + std::string(call.name);
        if (auto address = program->symbol(label))
            handlers.push_back(std::uint32_t(*address));
        else if (nosys)
            handlers.push_back(std::uint32_t(*nosys));
        else
            missing.push_back(label);
    }
    if (!missing.empty()) {
        std::string list;
        for (const std::string& name : missing)
            list += (list.empty() ? "" : ", ") + name;
        return Error::bad_input(step.where(), fmt::format("the kernel does not define {} (or sys_nosys, for the calls "
                                                          "it leaves out)",
                                                  list));
    }

    auto [table_begin, table_end] = region_rows(RegionId::ProcessTable, width);
    BootHeader header;
    header.kernel_entry = std::uint32_t(*program->symbol("kernel_entry"));
    header.trap_vector = std::uint32_t(*program->symbol("trap_handler"));
    header.syscall_table = syscall_begin;
    header.syscall_count = std::uint32_t(kSyscalls.size());
    header.process_table = table_begin;
    header.process_slots = isa::kProcessSlots;
    header.pcb_words = isa::kPcbWords;
    header.display = display;
    header.palette = std::uint32_t(region(RegionId::OpcodePalette).rect.y) * std::uint32_t(width);
    header.palette_cell_width = isa::kPaletteCellWidth;
    header.opcode_count = isa::kOpcodeCount;
    // The process partitions and the file store exist when the image is
    // tall enough to hold their regions (pxOS's default 512x1024 is).
    const Rect memory_rows = region(RegionId::ProcessMemory).rect;
    if (memory_rows.y + memory_rows.height <= vram.height()) {
        auto [memory_begin, memory_end] = region_rows(RegionId::ProcessMemory, width);
        header.memory_base = memory_begin;
        header.partition_words = (memory_end - memory_begin) / std::uint32_t(isa::kProcessSlots);
    }
    const Rect store_rows = region(RegionId::Store).rect;
    if (store_rows.y + store_rows.height <= vram.height()) {
        auto [store_begin, store_end] = region_rows(RegionId::Store, width);
        header.store_base = store_begin;
        header.store_words = store_end - store_begin;
    }
    if (auto overlap = display_overlap(header, width, vram.height()))
        return Error::bad_input(step.where(), *overlap);

    PXOS_TRY(write_program(*program, vram));
    step.source_map().merge(program->source_map);
    for (const auto& [name, address] : program->symbols)
        if (address >= kernel_begin && address < kernel_end)
            step.source_map().add_label(name, std::uint32_t(address));
    for (std::size_t i = 0; i < handlers.size(); ++i)
        PXOS_TRY(vram.write_pixel(int((syscall_begin + i) % std::uint32_t(width)),
            int((syscall_begin + i) / std::uint32_t(width)), RGBA::from_word(handlers[i])));

    // Every process slot starts free.
    for (std::uint32_t i = 0; i < std::uint32_t(isa::kProcessSlots * isa::kPcbWords); ++i)
        PXOS_TRY(vram.write_pixel(int((table_begin + i) % std::uint32_t(width)),
            int((table_begin + i) / std::uint32_t(width)), RGBA::from_word(0)));

    write_header(vram, header);

    step.set("kernel_entry", std::int64_t(header.kernel_entry));
    step.set("kernel_words", std::int64_t(program->words.size()));
    step.set("display_top_row", std::int64_t(display.y));
    step.set("display_bottom_row", std::int64_t(display.y + display.height));
    (void)table_end;
    (void)syscall_end;
    return {};
}

Result<void> add_process(StepContext& step)
{
    SimulatedVRAM& vram = step.vram();
    PXOS_TRY(require_size(vram, "add_process"));
    int width = vram.width();
    const ParamValue* count_value = step.context().find("process_count");
    std::int64_t slot = count_value ? std::get<std::int64_t>(*count_value) : 0;
    if (slot >= isa::kProcessSlots)
        return Error::bad_input(step.where(), fmt::format("all {} process slots are taken", isa::kProcessSlots));
    const ParamValue* row_value = step.context().find("next_process_row");
    std::uint32_t pid = abi::pid_of_slot(std::uint32_t(slot));
    std::int64_t first_row = row_value ? std::get<std::int64_t>(*row_value)
                                       : region(RegionId::ProgramArea).rect.y + 16; // below the seed's hello blocks
    std::int64_t rows = step.integer("memory_rows");
    std::int64_t end_row = first_row + rows;
    const ParamValue* display_top = step.context().find("display_top_row");
    const ParamValue* display_bottom = step.context().find("display_bottom_row");
    if (!display_top || !display_bottom)
        return Error::bad_input(step.where(), "add_process needs install_kernel earlier in the roadmap");
    std::int64_t top = std::get<std::int64_t>(*display_top), bottom = std::get<std::int64_t>(*display_bottom);
    if (end_row > vram.height() || (first_row < bottom && end_row > top))
        return Error::bad_input(step.where(),
            fmt::format("no room for process {}: rows {}..{} would overlap the display area (rows {}..{}) or leave "
                        "the VRAM; use fewer memory_rows",
                pid, first_row, end_row - 1, top, bottom - 1));

    std::uint32_t stack_words = std::uint32_t(step.integer("stack_words"));
    ProcessSpec spec = abi::process_in_rows(std::uint32_t(slot),
        step.boolean("autostart") ? isa::ProcessState::Ready : isa::ProcessState::Dormant, width,
        std::uint32_t(first_row), std::uint32_t(rows), stack_words);
    if (stack_words + 16 > spec.limit - spec.base)
        return Error::bad_input(step.where(), fmt::format("stack_words {} leaves no room for code in {} rows of memory",
                                                  stack_words, rows));
    AssembleOptions options;
    options.limits = step.code_limits();
    options.files = step.files();
    options.vram_width = width;
    options.vram_height = vram.height();
    options.origin = spec.base;
    options.allowed_range = { spec.base, spec.stack_base };
    options.allowed_range_name = fmt::format("process {}'s code and data (rows {}..{}, below its {}-word stack)", pid,
        first_row, end_row - 1, stack_words);
    auto program = assemble_step_source(step, "program_file", "program_source", options);
    if (!program)
        return std::move(program).error();

    // The process's memory starts clear, then holds the program.
    spec.entry = std::uint32_t(program->symbol("main").value_or(spec.base));
    PXOS_TRY(abi::place_process(vram, std::uint32_t(region(RegionId::ProcessTable).rect.y) * std::uint32_t(width),
        spec, [&](SimulatedVRAM& memory) { return write_program(*program, memory); }));
    step.source_map().merge(program->source_map);
    for (const auto& [name, address] : program->symbols)
        if (address >= spec.base && address < spec.limit)
            step.source_map().add_label(fmt::format("{}:{}", pid, name), std::uint32_t(address));

    step.set("process_count", slot + 1);
    step.set("next_process_row", end_row);
    return {};
}

} // namespace pxos::steps
