#include "pxos/vm/machine.hpp"

#include "pxos/vm/trap_entry.hpp"
#include "vm/cpu/slots.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <fmt/format.h>
#include <mutex>

namespace pxos {

using isa::Opcode;
using isa::Special;
using isa::TrapCause;
using namespace cpu;

namespace {

// The slot arrays of machines that ended, kept for the next machine of the
// same size. A fresh array is 8 bytes a word of memory (4 MiB for 512x1024)
// that calloc must clear or the kernel fault in, which costs more than
// most of the evaluator's runs; a kept one is cleared only in the blocks
// its machine decoded. Bounded in count and bytes; shared by all threads.
class SlotArrayPool {
public:
    static SlotArrayPool& instance()
    {
        static SlotArrayPool* pool = new SlotArrayPool; // never destroyed: machines may end after static destructors
        return *pool;
    }

    // An array of `count` slots, every op kUndecoded but the fences after
    // memory (kFence), or null.
    Machine::Slot* take(std::size_t count)
    {
        std::lock_guard lock(m_mutex);
        for (std::size_t i = 0; i < m_kept.size(); ++i)
            if (m_kept[i].count == count) {
                Machine::Slot* slots = m_kept[i].slots;
                m_bytes -= count * sizeof(Machine::Slot);
                m_kept.erase(m_kept.begin() + std::ptrdiff_t(i));
                return slots;
            }
        return nullptr;
    }

    // Takes `slots` back (or frees it when the pool is full), clearing the
    // blocks set in `decoded`.
    void give(Machine::Slot* slots, std::size_t count, std::uint32_t memory_words, const std::vector<std::uint8_t>& decoded)
    {
        std::size_t bytes = count * sizeof(Machine::Slot);
        {
            std::lock_guard lock(m_mutex);
            if (m_kept.size() >= kMaxKept || m_bytes + bytes > kMaxBytes) {
                std::free(slots);
                return;
            }
            m_bytes += bytes; // reserved; the clearing below happens outside the lock
        }
        const std::size_t block = std::size_t(1) << kSlotBlockShift;
        for (std::size_t b = 0; b < decoded.size(); ++b)
            if (decoded[b]) {
                std::size_t begin = b * block;
                std::size_t end = std::min(begin + block, std::size_t(kSlotPadding) + memory_words);
                if (begin < end)
                    std::memset(static_cast<void*>(slots + begin), 0, (end - begin) * sizeof(Machine::Slot));
            }
        std::lock_guard lock(m_mutex);
        m_kept.push_back({ slots, count });
    }

private:
    static constexpr std::size_t kMaxKept = 8;
    static constexpr std::size_t kMaxBytes = std::size_t(64) << 20;
    struct Kept {
        Machine::Slot* slots;
        std::size_t count;
    };
    std::mutex m_mutex;
    std::vector<Kept> m_kept;
    std::size_t m_bytes = 0;
};

std::uint64_t next_boot()
{
    static std::atomic<std::uint64_t> boots { 0 };
    return ++boots;
}

std::uint64_t next_instance()
{
    static std::atomic<std::uint64_t> instances { 0 };
    return ++instances;
}

} // namespace

Machine::Machine(SimulatedVRAM image, BootHeader header, Palette palette)
    : m_vram(std::move(image))
    , m_header(header)
    , m_palette(std::move(palette))
{
    m_boot_id = next_boot();
    m_instance = next_instance();
    m_memory = m_vram.mutable_words();
    m_memory_words = std::uint32_t(m_vram.pixel_count());
    // The slots start as kUndecoded (0): a kept array from the pool, or a
    // calloc'd one (whose pages no code runs from are never touched).
    m_slot_count = std::size_t(m_memory_words) + kSlotPadding + kFenceWords;
    m_slots.reset(SlotArrayPool::instance().take(m_slot_count));
    if (!m_slots) {
        m_slots.reset(static_cast<Slot*>(std::calloc(m_slot_count, sizeof(Slot))));
        if (!m_slots)
            throw std::bad_alloc();
        for (std::uint32_t i = 0; i < kFenceWords; ++i)
            m_slots[kSlotPadding + m_memory_words + i].op = kFence;
    }
    m_decoded_blocks.assign((m_slot_count >> kSlotBlockShift) + 1, 0);
    m_dirty_blocks.assign((std::size_t(m_memory_words) >> kDirtyShift) + 1, 0);
    set_display_bounds();
    m_pc = header.kernel_entry;
}

void Machine::set_display_bounds()
{
    std::uint32_t width = std::uint32_t(m_vram.width());
    m_display_begin = std::uint32_t(m_header.display.y) * width + std::uint32_t(m_header.display.x);
    m_display_end = std::uint32_t(m_header.display.y + m_header.display.height - 1) * width
        + std::uint32_t(m_header.display.x + m_header.display.width);
}

Machine::~Machine()
{
    // Between runs the array holds only decoded slots and the end fences
    // (run_chunk takes its user fences down when it returns).
    if (m_slots)
        SlotArrayPool::instance().give(m_slots.release(), m_slot_count, m_memory_words, m_decoded_blocks);
}

std::unique_ptr<Machine> Machine::clone() const
{
    // A fresh decode cache: the copy decodes what it runs again, lazily,
    // and runs the same.
    std::unique_ptr<Machine> copy(new Machine(m_vram, m_header, m_palette));
    copy->copy_state(*this);
    copy->m_boot_id = m_boot_id;
    copy->m_synced_instance = m_instance;
    copy->m_synced_version = m_memory_version;
    return copy;
}

bool Machine::reset_to(const Machine& other)
{
    if (other.m_boot_id != m_boot_id)
        return false;
    // A decoded slot depends only on the words under it (and the palette),
    // so the slots of the words that are the same stay right.
    const std::uint32_t* from = other.m_memory;
    auto copy_block = [&](std::uint32_t begin, std::uint32_t end) {
        for (std::uint32_t address = begin; address < end; ++address)
            if (m_memory[address] != from[address]) {
                m_memory[address] = from[address];
                invalidate(address);
            }
    };
    const std::uint32_t block = std::uint32_t(1) << kDirtyShift;
    if (other.m_instance == m_synced_instance && other.m_memory_version == m_synced_version) {
        // Last made equal to `other`, which has not changed since: only the
        // blocks this machine stored to can differ.
        for (std::size_t b = 0; b < m_dirty_blocks.size(); ++b)
            if (m_dirty_blocks[b]) {
                std::uint32_t begin = std::uint32_t(b) * block;
                copy_block(begin, std::min(begin + block, m_memory_words));
            }
    } else {
        // Compared block by block with memcmp first: most of memory is the same.
        for (std::uint32_t begin = 0; begin < m_memory_words; begin += block) {
            std::uint32_t end = std::min(begin + block, m_memory_words);
            if (std::memcmp(m_memory + begin, from + begin, std::size_t(end - begin) * sizeof(std::uint32_t)) != 0)
                copy_block(begin, end);
        }
    }
    std::fill(m_dirty_blocks.begin(), m_dirty_blocks.end(), std::uint8_t(0));
    ++m_memory_version;
    m_synced_instance = other.m_instance;
    m_synced_version = other.m_memory_version;
    copy_state(other);
    return true;
}

void Machine::copy_state(const Machine& other)
{
    Machine* copy = this;
    const Machine& m = other;
    copy->m_active = m.m_active;
    copy->m_inactive = m.m_inactive;
    copy->m_specials = m.m_specials;
    copy->m_pc = m.m_pc;
    copy->m_user_mode = m.m_user_mode;
    copy->m_halted = m.m_halted;
    copy->m_steps = m.m_steps;
    copy->m_slice_end = m.m_slice_end;
    copy->m_result = m.m_result;
    copy->m_output = m.m_output;
    copy->m_console_bytes = m.m_console_bytes;
    copy->m_record_limits = m.m_record_limits;
    copy->m_input = m.m_input;
    copy->m_input_position = m.m_input_position;
}

void Machine::FreeSlots::operator()(Slot* slots) const
{
    std::free(slots);
}

void Machine::switch_mode(bool user)
{
    if (user != m_user_mode)
        std::swap(m_active, m_inactive);
    m_user_mode = user;
}

// Shared with the reference interpreter (vm/trap_entry.hpp).
void Machine::enter_kernel(std::uint32_t cause, std::uint32_t pc, std::uint32_t address)
{
    m_pc = enter_trap({ cause, pc, address },
        { m_header, m_memory, m_memory_words, m_specials, m_result, m_record_limits, m_steps });
    switch_mode(false);
    m_slice_end = 0;
    if (m_trap_observer)
        m_trap_observer->on_trap(*this);
}

void Machine::enter_user_mode()
{
    switch_mode(true);
    m_pc = m_specials[std::size_t(Special::Epc)];
    std::uint32_t quantum = m_specials[std::size_t(Special::Quantum)];
    m_slice_end = quantum ? m_steps + quantum : 0;
}

RunResult Machine::run(std::uint64_t max_steps)
{
    ++m_memory_version;
    m_result.reason = StopReason::BudgetExhausted;
    std::uint64_t budget_end = m_steps + max_steps;
    while (!m_halted) {
        if (m_user_mode && m_slice_end && m_steps >= m_slice_end) {
            // Time slice over: trap to the kernel before the next instruction.
            enter_kernel(std::uint32_t(TrapCause::Timer), m_pc, 0);
            continue;
        }
        if (m_steps >= budget_end) {
            m_result.reason = StopReason::BudgetExhausted;
            break;
        }
        std::uint64_t chunk = budget_end - m_steps;
        if (m_user_mode && m_slice_end)
            chunk = std::min(chunk, m_slice_end - m_steps);

        TraceEvent event;
        if (m_trace) {
            chunk = 1;
            event.step = m_steps;
            event.pid = m_specials[std::size_t(Special::Pid)];
            event.user_mode = m_user_mode;
            event.pc = m_pc;
            event.instruction = decode(m_memory, m_memory_words, m_pc, m_palette);
            event.before = m_active;
        }
        bool was_user = m_user_mode;
        Exit exit = run_chunk(chunk);
        if (m_trace && exit != Exit::Interrupted) {
            event.after = registers(was_user);
            m_trace->on_instruction(event);
        }

        switch (exit) {
        case Exit::Budget: break;
        case Exit::ModeSwitch: enter_user_mode(); break;
        case Exit::Halt:
            m_halted = true;
            m_result.reason = StopReason::Halted;
            m_result.halt_code = m_active[0];
            break;
        case Exit::Panic:
            record_panic({ m_trap_cause, m_trap_pc, m_trap_address }, m_specials[std::size_t(Special::Pid)], m_steps,
                m_result);
            m_halted = true;
            break;
        case Exit::Trap: enter_kernel(m_trap_cause, m_trap_pc, m_trap_address); break;
        case Exit::Interrupted:
            m_result.reason = StopReason::Interrupted;
            m_result.steps = m_steps;
            return m_result;
        }
    }
    m_result.steps = m_steps;
    return m_result;
}

} // namespace pxos
