#include "pxos/vm/state.hpp"

#include <cstring>
#include <fmt/format.h>

namespace pxos {

namespace {

std::string_view yes_no(bool value)
{
    return value ? "yes" : "no";
}

std::string_view mode_name(bool user_mode)
{
    return user_mode ? "user" : "kernel";
}

std::optional<std::string> first_register_difference(const std::array<std::uint32_t, isa::kRegisterCount>& expected,
    const std::array<std::uint32_t, isa::kRegisterCount>& actual, std::string_view bank)
{
    for (std::size_t i = 0; i < expected.size(); ++i)
        if (expected[i] != actual[i])
            return fmt::format("r{} of the {} bank: {} vs {}", i, bank, expected[i], actual[i]);
    return std::nullopt;
}

} // namespace

std::optional<std::string> first_difference(const MachineState& expected, const MachineState& actual)
{
    // Control state first: when the pc or mode went apart, the registers
    // that differ are only a consequence.
    if (expected.halted != actual.halted)
        return fmt::format("halted: {} vs {}", yes_no(expected.halted), yes_no(actual.halted));
    if (expected.user_mode != actual.user_mode)
        return fmt::format("mode: {} vs {}", mode_name(expected.user_mode), mode_name(actual.user_mode));
    if (expected.pc != actual.pc)
        return fmt::format("pc: {} vs {}", expected.pc, actual.pc);
    if (expected.steps != actual.steps)
        return fmt::format("steps: {} vs {}", expected.steps, actual.steps);
    if (expected.slice_end != actual.slice_end)
        return fmt::format("time slice end: step {} vs step {}", expected.slice_end, actual.slice_end);
    if (auto found = first_register_difference(expected.kernel_registers, actual.kernel_registers, "kernel"))
        return found;
    if (auto found = first_register_difference(expected.user_registers, actual.user_registers, "user"))
        return found;
    for (std::size_t i = 0; i < expected.specials.size(); ++i)
        if (expected.specials[i] != actual.specials[i])
            return fmt::format("{}: {} vs {}", isa::kSpecials[i].name, expected.specials[i], actual.specials[i]);
    if (expected.input_position != actual.input_position)
        return fmt::format("console input read: {} bytes vs {} bytes", expected.input_position, actual.input_position);
    if (expected.console_bytes != actual.console_bytes)
        return fmt::format("console output written: {} bytes vs {} bytes", expected.console_bytes,
            actual.console_bytes);
    return std::nullopt;
}

std::optional<std::string> first_difference(const SimulatedVRAM& expected, const SimulatedVRAM& actual)
{
    if (expected.width() != actual.width() || expected.height() != actual.height())
        return fmt::format("size: {}x{} vs {}x{}", expected.width(), expected.height(), actual.width(),
            actual.height());
    // memcmp first: a differential test compares whole images at every trap.
    if (std::memcmp(expected.words(), actual.words(), expected.byte_size()) == 0)
        return std::nullopt;
    for (std::size_t i = 0; i < expected.pixel_count(); ++i)
        if (expected.words()[i] != actual.words()[i]) {
            int x = int(i % std::size_t(expected.width())), y = int(i / std::size_t(expected.width()));
            return fmt::format("pixel ({},{}): {} vs {}", x, y, RGBA::from_word(expected.words()[i]).to_string(),
                RGBA::from_word(actual.words()[i]).to_string());
        }
    return std::nullopt;
}

} // namespace pxos
