#include "pxos/abi/trap_causes.hpp"

namespace pxos::isa {

std::string_view trap_cause_name(std::uint32_t cause)
{
    for (const abi::TrapCauseInfo& entry : abi::kTrapCauses)
        if (std::uint32_t(entry.cause) == cause)
            return entry.name;
    return "Unknown";
}

std::string_view trap_cause_doc(std::uint32_t cause)
{
    for (const abi::TrapCauseInfo& entry : abi::kTrapCauses)
        if (std::uint32_t(entry.cause) == cause)
            return entry.doc;
    return "unknown cause";
}

} // namespace pxos::isa
