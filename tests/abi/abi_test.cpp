#include "pxos/abi/boot_header.hpp"
#include "pxos/abi/os.hpp"
#include "pxos/abi/process.hpp"
#include "pxos/abi/program_file.hpp"
#include "pxos/abi/store.hpp"
#include "pxos/abi/symbols.hpp"
#include "pxos/abi/syscalls.hpp"
#include "pxos/abi/trap_causes.hpp"

#include "pxos/asm/assembler.hpp"
#include "pxos/image/layout.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <algorithm>
#include <cctype>
#include <regex>
#include <set>
#include <sstream>

namespace {

std::string upper(std::string_view text)
{
    std::string name(text);
    for (char& c : name)
        c = char(std::toupper(static_cast<unsigned char>(c)));
    return name;
}

std::string lower(std::string_view text)
{
    std::string name(text);
    for (char& c : name)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return name;
}

// What the assembler makes of `expression` in a program of its own.
std::int64_t assembled_value(const std::string& expression)
{
    auto program = pxos::assemble(".word " + expression + "\n", "symbol.pxasm");
    if (!program)
        FAIL(expression + ": " + program.error().message());
    REQUIRE(program->words.size() == 1);
    return std::int32_t(program->words.front().word);
}

} // namespace

TEST_CASE("PCB fields have unique names and offsets and fit PCB_WORDS, which is 1 << PCB_SHIFT", "[abi]")
{
    STATIC_REQUIRE(pxos::isa::kPcbWords == 1 << pxos::isa::kPcbShift);
    std::set<std::string_view> symbols;
    std::set<int> words;
    for (const pxos::abi::PcbFieldInfo& entry : pxos::abi::kPcbFields) {
        INFO(entry.symbol);
        CHECK(symbols.insert(entry.symbol).second);
        CHECK(int(entry.field) == entry.offset);
        CHECK(entry.words >= 1);
        CHECK(entry.offset + entry.words <= pxos::isa::kPcbWords);
        for (int word = entry.offset; word < entry.offset + entry.words; ++word)
            CHECK(words.insert(word).second);
        CHECK(!entry.doc.empty());
    }
    // r0..r15 of the user bank, one word each.
    auto registers = *std::find_if(pxos::abi::kPcbFields.begin(), pxos::abi::kPcbFields.end(),
        [](const pxos::abi::PcbFieldInfo& entry) { return entry.symbol == "REGISTERS"; });
    CHECK(registers.field == pxos::isa::PcbField::Registers);
    CHECK(registers.words == pxos::isa::kRegisterCount);
}

TEST_CASE("process states are their rows, with unique symbols and lower-case names", "[abi]")
{
    std::set<std::string_view> symbols;
    for (std::size_t row = 0; row < pxos::abi::kProcessStates.size(); ++row) {
        const pxos::abi::ProcessStateInfo& entry = pxos::abi::kProcessStates[row];
        INFO(entry.symbol);
        CHECK(std::uint32_t(entry.state) == row);
        CHECK(symbols.insert(entry.symbol).second);
        CHECK(pxos::isa::process_state_name(std::uint32_t(row)) == lower(entry.symbol));
        CHECK(!entry.doc.empty());
    }
    CHECK(pxos::isa::process_state_name(std::uint32_t(pxos::abi::kProcessStates.size())) == "invalid");
    CHECK(pxos::isa::process_state_name(2) == "running");
}

TEST_CASE("trap causes have unique names and values, and the faults are exactly those from 16 up", "[abi]")
{
    std::set<std::string_view> names;
    std::set<std::uint32_t> values;
    for (const pxos::abi::TrapCauseInfo& entry : pxos::abi::kTrapCauses) {
        INFO(entry.name);
        std::uint32_t value = std::uint32_t(entry.cause);
        CHECK(names.insert(entry.name).second);
        CHECK(values.insert(value).second);
        CHECK(pxos::isa::trap_cause_name(value) == entry.name);
        CHECK(pxos::isa::trap_cause_doc(value) == entry.doc);
        bool entered_on_purpose = entry.cause == pxos::isa::TrapCause::Syscall || entry.cause == pxos::isa::TrapCause::Timer;
        CHECK(pxos::isa::is_fault(value) == !entered_on_purpose);
    }
    CHECK(pxos::isa::trap_cause_name(3) == "Unknown");
    CHECK(pxos::isa::trap_cause_doc(3) == "unknown cause");
}

TEST_CASE("each syscall's number is its row in the table, which is the order of the kernel's syscall table", "[abi]")
{
    std::set<std::string_view> names;
    for (std::size_t row = 0; row < pxos::kSyscalls.size(); ++row) {
        INFO(pxos::kSyscalls[row].name);
        CHECK(pxos::kSyscalls[row].number == int(row));
        CHECK(names.insert(pxos::kSyscalls[row].name).second);
    }
    CHECK(int(pxos::Syscall::print_int) == 10);
    CHECK(int(pxos::Syscall::seek) == pxos::kSyscalls.back().number);
    CHECK(pxos::kSyscalls.size() >= 21); // xv6 has 21
}

TEST_CASE("boot header fields are one word each, in table order, and write_header and read_header agree", "[abi]")
{
    std::set<std::string_view> symbols;
    for (std::size_t row = 0; row < pxos::abi::kHeaderFields.size(); ++row) {
        INFO(pxos::abi::kHeaderFields[row].symbol);
        CHECK(int(pxos::abi::kHeaderFields[row].field) == int(row));
        CHECK(symbols.insert(pxos::abi::kHeaderFields[row].symbol).second);
    }
    CHECK(pxos::abi::kHeaderFields.size() == std::size_t(pxos::isa::kHeaderWords));

    auto vram = pxos::SimulatedVRAM::create(512, 512).value();
    pxos::BootHeader header;
    header.kernel_entry = 16384;
    header.syscall_table = 65536;
    header.syscall_count = 11;
    header.process_table = 81920;
    header.process_slots = 16;
    header.display = pxos::Rect { 8, 300, 64, 32 };
    header.trap_vector = 16390;
    header.palette = 8192;
    pxos::write_header(vram, header);
    const std::uint32_t* words = vram.words() + pxos::header_address(512);
    using pxos::isa::HeaderField;
    CHECK(words[int(HeaderField::Magic)] == pxos::isa::kMagic);
    CHECK(words[int(HeaderField::Version)] == pxos::isa::kVersion);
    CHECK(words[int(HeaderField::KernelEntry)] == 16384);
    CHECK(words[int(HeaderField::SyscallTable)] == 65536);
    CHECK(words[int(HeaderField::SyscallCount)] == 11);
    CHECK(words[int(HeaderField::ProcessTable)] == 81920);
    CHECK(words[int(HeaderField::ProcessSlots)] == 16);
    CHECK(words[int(HeaderField::PcbWords)] == std::uint32_t(pxos::isa::kPcbWords));
    CHECK(words[int(HeaderField::DisplayX)] == 8);
    CHECK(words[int(HeaderField::DisplayY)] == 300);
    CHECK(words[int(HeaderField::DisplayWidth)] == 64);
    CHECK(words[int(HeaderField::DisplayHeight)] == 32);
    CHECK(words[int(HeaderField::TrapVector)] == 16390);
    CHECK(words[int(HeaderField::Palette)] == 8192);
    CHECK(words[int(HeaderField::PaletteCellWidth)] == std::uint32_t(pxos::isa::kPaletteCellWidth));
    CHECK(words[int(HeaderField::OpcodeCount)] == std::uint32_t(pxos::isa::kOpcodeCount));

    auto read = pxos::read_header(vram, "header.png");
    REQUIRE(read.ok());
    CHECK(read->kernel_entry == header.kernel_entry);
    CHECK(read->syscall_table == header.syscall_table);
    CHECK(read->syscall_count == header.syscall_count);
    CHECK(read->process_table == header.process_table);
    CHECK(read->process_slots == header.process_slots);
    CHECK(read->pcb_words == header.pcb_words);
    CHECK(read->display == header.display);
    CHECK(read->trap_vector == header.trap_vector);
    CHECK(read->palette == header.palette);
    CHECK(read->palette_cell_width == header.palette_cell_width);
    CHECK(read->opcode_count == header.opcode_count);
}

TEST_CASE("the assembler's standard symbols are the ABI tables' rows, each with its value", "[abi][asm]")
{
    std::map<std::string, std::int64_t> expected;
    for (const pxos::SyscallInfo& call : pxos::kSyscalls)
        expected["SYS_" + upper(call.name)] = call.number;
    expected["SYSCALL_COUNT"] = std::int64_t(pxos::kSyscalls.size());
    for (const pxos::abi::TrapCauseInfo& entry : pxos::abi::kTrapCauses)
        expected["TRAP_" + std::string(entry.name)] = std::int64_t(entry.cause);
    for (const pxos::abi::ProcessStateInfo& entry : pxos::abi::kProcessStates)
        expected["STATE_" + std::string(entry.symbol)] = std::int64_t(entry.state);
    for (const pxos::abi::PcbFieldInfo& entry : pxos::abi::kPcbFields)
        expected["PCB_" + std::string(entry.symbol)] = entry.offset;
    expected["PCB_WORDS"] = 64;
    expected["PCB_SHIFT"] = 6;
    for (const pxos::abi::HeaderFieldInfo& entry : pxos::abi::kHeaderFields)
        expected["HEADER_" + std::string(entry.symbol)] = int(entry.field);
    expected["HEADER"] = 4 * 512;
    expected["PROCESS_SLOTS"] = pxos::isa::kProcessSlots;
    expected["FIRST_PID"] = 1;
    for (const auto& entry : pxos::abi::kErrors)
        expected["ERR_" + std::string(entry.symbol)] = entry.value;
    for (const auto& entry : pxos::abi::kOpenFlags)
        expected["O_" + std::string(entry.symbol)] = entry.value;
    for (const auto& entry : pxos::abi::kFileTypes)
        expected["T_" + std::string(entry.symbol)] = entry.value;
    for (const auto& entry : pxos::abi::kStatFields)
        expected["STAT_" + std::string(entry.symbol)] = entry.value;
    expected["STAT_WORDS"] = 4;
    for (const auto& entry : pxos::abi::kOsLimits)
        expected["OS_" + std::string(entry.symbol)] = entry.value;
    for (const auto& entry : pxos::abi::kStoreConstants)
        expected["STORE_" + std::string(entry.symbol)] = entry.value;
    for (const auto& entry : pxos::abi::kSuperblockFields)
        expected["SB_" + std::string(entry.symbol)] = entry.value;
    for (const auto& entry : pxos::abi::kInodeFields)
        expected["INODE_" + std::string(entry.symbol)] = entry.value;
    for (const auto& entry : pxos::abi::kDirentFields)
        expected["DIRENT_" + std::string(entry.symbol)] = entry.value;
    for (const auto& entry : pxos::abi::kProgramHeaderFields)
        expected["EXE_" + std::string(entry.symbol)] = entry.word;
    expected["EXE_HEADER_WORDS"] = 8;
    expected["EXE_MAGIC_VALUE"] = 0x58455850;
    expected["EXE_VERSION_VALUE"] = 1;
    expected["REGISTER_COUNT"] = 16;
    expected["REGISTER_SP"] = 15;
    expected["PORT_CONSOLE_OUT"] = 0;
    expected["PORT_CONSOLE_IN"] = 1;
    expected["VRAM_WIDTH"] = 512;
    for (const pxos::Region& entry : pxos::layout_regions())
        expected["REGION_" + upper(entry.name)] = std::int64_t(entry.rect.y) * 512 + entry.rect.x;

    CHECK(pxos::standard_symbols(512) == expected);
    // ... and a program sees them.
    for (const auto& [name, value] : expected) {
        INFO(name);
        CHECK(assembled_value(name) == value);
    }
    CHECK(assembled_value("PROCESS_SLOTS * PCB_WORDS") == pxos::isa::kProcessSlots * pxos::isa::kPcbWords);
}

TEST_CASE("pid_of_slot: slot 0 is pid 1, FIRST_PID", "[abi]")
{
    STATIC_REQUIRE(pxos::abi::pid_of_slot(0) == 1);
    STATIC_REQUIRE(pxos::abi::pid_of_slot(15) == 16);
    CHECK(pxos::abi::pid_of_slot(0) == pxos::abi::kFirstPid);
}

TEST_CASE("place_process clears the process's rows, writes its code there, then its PCB", "[abi]")
{
    auto vram = pxos::SimulatedVRAM::create(512, 512).value();
    std::fill(vram.mutable_words(), vram.mutable_words() + vram.pixel_count(), 0xffffffffu);
    const std::uint32_t table = 81920;
    pxos::ProcessSpec spec = pxos::abi::process_in_rows(2, pxos::isa::ProcessState::Dormant, 512, 300, 4, 64);
    CHECK(spec.base == 300 * 512);
    CHECK(spec.limit == 304 * 512);
    CHECK(spec.stack_base == 304 * 512 - 64);
    CHECK(spec.entry == spec.base);
    spec.entry = spec.base + 7;

    const std::uint32_t* pcb = vram.words() + table + 2 * pxos::isa::kPcbWords;
    bool called = false;
    auto placed = pxos::abi::place_process(vram, table, spec, [&](pxos::SimulatedVRAM& memory) -> pxos::Result<void> {
        called = true;
        // The rows are clear and the PCB not yet written when the code goes in.
        for (std::uint32_t address = spec.base; address < spec.limit; ++address)
            if (memory.words()[address] != 0)
                FAIL("word " << address << " is not clear");
        CHECK(pcb[0] == 0xffffffffu);
        memory.mutable_words()[spec.base + 7] = 0x12345678;
        return {};
    });
    REQUIRE(placed.ok());
    CHECK(called);
    CHECK(vram.words()[spec.base - 1] == 0xffffffffu);
    CHECK(vram.words()[spec.limit] == 0xffffffffu);
    CHECK(vram.words()[spec.base + 7] == 0x12345678);
    using pxos::isa::PcbField;
    CHECK(pcb[int(PcbField::State)] == std::uint32_t(pxos::isa::ProcessState::Dormant));
    CHECK(pcb[int(PcbField::Pid)] == 3);
    CHECK(pcb[int(PcbField::Pc)] == spec.base + 7);
    CHECK(pcb[int(PcbField::Entry)] == spec.base + 7);
    CHECK(pcb[int(PcbField::Base)] == spec.base);
    CHECK(pcb[int(PcbField::Limit)] == spec.limit);
    CHECK(pcb[int(PcbField::StackBase)] == spec.stack_base);
    CHECK(pcb[int(PcbField::ExitCode)] == 0);
    CHECK(pcb[int(PcbField::Registers) + pxos::isa::kStackPointer] == spec.limit);
    CHECK(pcb[int(PcbField::Registers)] == 0);
    CHECK(pcb[-1] == 0xffffffffu); // slot 1's last word
    CHECK(pcb[pxos::isa::kPcbWords] == 0xffffffffu); // slot 3's first word

    auto refused = pxos::abi::place_process(vram, table, spec,
        [](pxos::SimulatedVRAM&) -> pxos::Result<void> { return pxos::Error::bad_input("code.pxasm", "no room"); });
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message() == "code.pxasm: error: no room");
}

TEST_CASE("kernel.pxasm names ABI facts by symbol: no literal PCB size, PCB offset or header word", "[abi][kernel]")
{
    std::istringstream kernel(pxos::test::read_text(pxos::test::source_path("roadmaps/kernel.pxasm")));
    const std::regex literal_offset(R"((HEADER|PCB_[A-Z_]+)\s*\+\s*[0-9])");
    const std::regex literal_load(R"(^\s*LI\s+r[0-9]+,\s*-?[0-9])");
    const std::regex shift(R"(^\s*(SHL|SHR|SAR)\b)");
    std::string line, previous;
    int number = 0;
    while (std::getline(kernel, line)) {
        ++number;
        std::string code = line.substr(0, line.find(';'));
        INFO("kernel.pxasm:" << number << ": " << line);
        CHECK_FALSE(std::regex_search(code, literal_offset));
        // "times the PCB size" is a shift by PCB_SHIFT, never by a literal.
        if (std::regex_search(code, shift))
            CHECK_FALSE(std::regex_search(previous, literal_load));
        previous = code;
    }
    CHECK(number > 100);
}

TEST_CASE("docs/ISA.md, docs/PXASM.md and docs/OS.md hold the ABI tables `pxos abi --markdown` prints", "[abi][docs][cli]")
{
    std::string isa_doc = pxos::test::read_text(pxos::test::source_path("docs/ISA.md"));
    std::string pxasm_doc = pxos::test::read_text(pxos::test::source_path("docs/PXASM.md"));
    INFO("regenerate with: pxos abi --markdown");
    CHECK(isa_doc.find(pxos::abi::kernel_tables_markdown()) != std::string::npos);
    CHECK(pxasm_doc.find(pxos::abi::syscalls_markdown()) != std::string::npos);
    std::string os_doc = pxos::test::read_text(pxos::test::source_path("docs/OS.md"));
    CHECK(os_doc.find(pxos::abi::syscalls_markdown() + "\n" + pxos::abi::os_tables_markdown()) != std::string::npos);
    CHECK(pxos::abi::kernel_tables_markdown().find("| 16-31 | `PCB_REGISTERS` | r0..r15 of the user bank;")
        != std::string::npos);
    CHECK(pxos::abi::syscalls_markdown().find("| `SYS_EXIT` | 0 | r1 = exit code | end this process: its descriptors close, a waiter gets the code |\n")
        != std::string::npos);

    pxos::test::ScratchDirectory scratch;
    auto markdown = pxos::test::run_pxos("abi --markdown", scratch.path());
    CHECK(markdown.exit_code == 0);
    CHECK(markdown.err.empty());
    CHECK(markdown.out == pxos::abi::reference_markdown());
    auto symbols = pxos::test::run_pxos("abi", scratch.path());
    CHECK(symbols.exit_code == 0);
    CHECK(symbols.out == pxos::abi::symbols_text(512));
    CHECK(symbols.out.find("\nPCB_SHIFT                  6\n") != std::string::npos);
    CHECK(symbols.out.find("\nHEADER_DISPLAY_WIDTH       10\n") != std::string::npos);
}
