#include "pxos/asm/assembler.hpp"

#include "asm/assembly.hpp"
#include "pxos/isa/decoder.hpp"
#include "pxos/base/file_io.hpp"
#include "pxos/isa/isa.hpp"
#include "pxos/image/layout.hpp"
#include "pxos/abi/syscalls.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>

namespace pxos {

std::optional<std::int64_t> Program::symbol(const std::string& name) const
{
    auto found = symbols.find(name);
    if (found == symbols.end())
        return std::nullopt;
    return found->second;
}

std::uint32_t Program::lowest_address() const
{
    return words.empty() ? 0 : words.front().address;
}

std::uint32_t Program::end_address() const
{
    return words.empty() ? 0 : words.back().address + 1;
}

std::map<std::string, std::int64_t> standard_symbols(int vram_width)
{
    std::map<std::string, std::int64_t> symbols;
    for (const SyscallInfo& call : kSyscalls) {
        std::string name(call.name);
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return char(std::toupper(c)); });
        symbols["SYS_" + name] = call.number;
    }
    symbols["SYSCALL_COUNT"] = std::int64_t(kSyscalls.size());
    symbols["PORT_CONSOLE_OUT"] = isa::kPortConsoleOut;
    symbols["PORT_CONSOLE_IN"] = isa::kPortConsoleIn;
#define PXOS_TRAP_SYMBOL(name, value, doc) symbols["TRAP_" #name] = value;
    PXOS_TRAP_CAUSES(PXOS_TRAP_SYMBOL)
#undef PXOS_TRAP_SYMBOL
    static constexpr std::string_view kStates[] = { "FREE", "READY", "RUNNING", "WAITING", "SLEEPING", "EXITED",
        "FAULTED", "DORMANT" };
    for (std::size_t i = 0; i < std::size(kStates); ++i)
        symbols["STATE_" + std::string(kStates[i])] = std::int64_t(i);
    symbols["PCB_STATE"] = int(isa::PcbField::State);
    symbols["PCB_PID"] = int(isa::PcbField::Pid);
    symbols["PCB_PC"] = int(isa::PcbField::Pc);
    symbols["PCB_BASE"] = int(isa::PcbField::Base);
    symbols["PCB_LIMIT"] = int(isa::PcbField::Limit);
    symbols["PCB_ENTRY"] = int(isa::PcbField::Entry);
    symbols["PCB_EXIT_CODE"] = int(isa::PcbField::ExitCode);
    symbols["PCB_WAIT_FOR"] = int(isa::PcbField::WaitFor);
    symbols["PCB_FAULT_ADDRESS"] = int(isa::PcbField::FaultAddress);
    symbols["PCB_STACK_BASE"] = int(isa::PcbField::StackBase);
    symbols["PCB_REGISTERS"] = int(isa::PcbField::Registers);
    symbols["PCB_WORDS"] = isa::kPcbWords;
    symbols["PROCESS_SLOTS"] = isa::kProcessSlots;
    symbols["VRAM_WIDTH"] = vram_width;
    symbols["HEADER"] = std::int64_t(header_address(vram_width));
    for (const Region& entry : layout_regions()) {
        std::string name(entry.name);
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return char(std::toupper(c)); });
        symbols["REGION_" + name] = std::int64_t(entry.rect.y) * vram_width + entry.rect.x;
    }
    return symbols;
}

namespace pxasm {

Result<Program> Assembler::run(std::string_view source, const std::string& file)
{
    if (within_read_caps(SourceLocation { file, 1, 1 }, source.size()))
        parse_file(source, file, 0);
    if (m_diagnostics.empty())
        layout();
    if (m_diagnostics.empty())
        emit();

    if (m_diagnostics.empty()) {
        std::stable_sort(m_emitted.begin(), m_emitted.end(),
            [](const auto& a, const auto& b) { return a.first.address < b.first.address; });
        std::uint64_t memory = std::uint64_t(m_options.vram_width) * std::uint64_t(m_options.vram_height);
        for (std::size_t i = 0; i < m_emitted.size(); ++i) {
            const auto& [word, location] = m_emitted[i];
            if (word.address >= memory) {
                error(location, fmt::format("address {} is outside the {}x{} VRAM", word.address, m_options.vram_width,
                                    m_options.vram_height));
                break;
            }
            if (m_options.allowed_range
                && (word.address < m_options.allowed_range->first || word.address >= m_options.allowed_range->second)) {
                error(location, fmt::format("address {} {} is outside {}", word.address,
                                    format_address(word.address, m_options.vram_width), m_options.allowed_range_name));
                break;
            }
            if (i > 0 && m_emitted[i - 1].first.address == word.address) {
                error(location, fmt::format("address {} {} is written twice (first by {})", word.address,
                                    format_address(word.address, m_options.vram_width),
                                    m_emitted[i - 1].second.to_string()));
                break;
            }
        }
    }
    if (!m_diagnostics.empty())
        return Error(ErrorKind::BadInput, std::move(m_diagnostics));

    for (const auto& [word, location] : m_emitted) {
        m_program.words.push_back(word);
        m_program.source_map.add(word.address, location.file, location.line);
    }
    for (const auto& [name, location] : m_label_locations)
        m_program.symbols[name] = m_symbols[name];
    return std::move(m_program);
}

} // namespace pxasm

Result<Program> assemble(std::string_view source, const std::string& file, const AssembleOptions& options)
{
    pxasm::Assembler assembler(options);
    return assembler.run(source, file);
}

Result<Program> assemble_file(const std::string& path, const AssembleOptions& options)
{
    auto text = read_file_text(path, options.limits.max_source_bytes, Cap::SourceFile, options.limits.reads);
    if (!text)
        return std::move(text).error();
    return assemble(*text, path, options);
}

Result<void> write_program(const Program& program, SimulatedVRAM& vram)
{
    std::uint32_t width = std::uint32_t(vram.width());
    for (const AssembledWord& word : program.words) {
        if (word.address >= vram.pixel_count())
            return Error::bad_input("", fmt::format("program word at address {} is outside the {}x{} VRAM",
                                            word.address, vram.width(), vram.height()));
        PXOS_TRY(vram.write_pixel(int(word.address % width), int(word.address / width), RGBA::from_word(word.word)));
    }
    return {};
}

} // namespace pxos
