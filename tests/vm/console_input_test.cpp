// Console input from a source (pxos::ConsoleInput): both interpreters ask it
// for one byte an IN on the console port, and a stop leaves the IN to run again.
#include "pxos/vm/machine.hpp"
#include "pxos/vm/reference.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <deque>

namespace {

// Gives the answers it was made with, in order (then the end), and counts the calls.
class ScriptedInput final : public pxos::ConsoleInput {
public:
    explicit ScriptedInput(std::deque<int> answers)
        : m_answers(std::move(answers))
    {
    }
    int next_byte() override
    {
        ++m_calls;
        if (m_answers.empty())
            return kEnd;
        int answer = m_answers.front();
        m_answers.pop_front();
        return answer;
    }
    int calls() const { return m_calls; }

private:
    std::deque<int> m_answers;
    int m_calls = 0;
};

// A bare kernel-mode snippet's image (no kernel: the snippet, then HALT).
pxos::SimulatedVRAM snippet_image(const std::string& snippet)
{
    return pxos::test::run_snippet(snippet, 0).machine->vram();
}

// Reads three bytes into r1, r2, r3, with other instructions between.
const char* const kThreeReads = "IN r1, PORT_CONSOLE_IN\nNOP\nIN r2, PORT_CONSOLE_IN\nLI r4, 1\nIN r3, PORT_CONSOLE_IN";

} // namespace

TEST_CASE("IN asks a console input source for one byte an IN, in both interpreters", "[machine][console_input]")
{
    pxos::SimulatedVRAM image = snippet_image(kThreeReads);
    ScriptedInput fast_input({ 'h', 'i' }), reference_input({ 'h', 'i' });
    auto fast = pxos::Machine::boot(image, "input.png");
    auto reference = pxos::ReferenceMachine::boot(image, "input.png");
    REQUIRE((fast.ok() && reference.ok()));
    (*fast)->set_input_source(&fast_input);
    reference->set_input_source(&reference_input);

    // Nothing is asked for before an IN runs.
    CHECK((*fast)->run(1).reason == pxos::StopReason::BudgetExhausted);
    CHECK(fast_input.calls() == 1);
    CHECK((*fast)->run(1).reason == pxos::StopReason::BudgetExhausted); // the NOP
    CHECK(fast_input.calls() == 1);
    pxos::RunResult fast_result = (*fast)->run(100);
    pxos::RunResult reference_result = reference->run(100);

    for (const auto& [name, registers, result, calls, read] :
        { std::tuple { "fast", (*fast)->registers(false), fast_result, fast_input.calls(), (*fast)->state().input_position },
            std::tuple { "reference", reference->state().kernel_registers, reference_result, reference_input.calls(),
                reference->state().input_position } }) {
        INFO(name);
        CHECK(result.reason == pxos::StopReason::Halted);
        CHECK(registers[1] == 'h');
        CHECK(registers[2] == 'i');
        CHECK(registers[3] == 0xffffffffu); // the end of input
        CHECK(calls == 3);
        CHECK(read == 2);
    }
    CHECK(pxos::first_difference(reference->state(), (*fast)->state()).value_or("") == "");
}

TEST_CASE("a console input source's stop ends run() before the IN, which runs again on the next run()",
    "[machine][console_input]")
{
    pxos::SimulatedVRAM image = snippet_image(kThreeReads);
    ScriptedInput fast_input({ 'a', pxos::ConsoleInput::kStop, 'b', pxos::ConsoleInput::kStop, pxos::ConsoleInput::kEnd });
    ScriptedInput reference_input({ 'a', pxos::ConsoleInput::kStop, 'b', pxos::ConsoleInput::kStop, pxos::ConsoleInput::kEnd });
    auto fast = pxos::Machine::boot(image, "input.png");
    auto reference = pxos::ReferenceMachine::boot(image, "input.png");
    REQUIRE((fast.ok() && reference.ok()));
    (*fast)->set_input_source(&fast_input);
    reference->set_input_source(&reference_input);
    const std::uint32_t entry = (*fast)->pc();

    // IN, NOP, then the second IN stops the run: 2 steps, the pc at that IN.
    pxos::RunResult fast_result = (*fast)->run(100);
    pxos::RunResult reference_result = reference->run(100);
    CHECK(fast_result.reason == pxos::StopReason::Interrupted);
    CHECK(reference_result.reason == pxos::StopReason::Interrupted);
    CHECK(fast_result.steps == 2);
    CHECK(reference_result.steps == 2);
    CHECK((*fast)->pc() > entry);
    CHECK(reference->state().pc == (*fast)->pc());
    CHECK((*fast)->registers(false)[1] == 'a');
    CHECK(pxos::first_difference(reference->state(), (*fast)->state()).value_or("") == "");

    // Run again: the IN asks again and gets 'b'; the third IN stops once more.
    fast_result = (*fast)->run(100);
    reference_result = reference->run(100);
    CHECK(fast_result.reason == pxos::StopReason::Interrupted);
    CHECK(fast_result.steps == 4);
    CHECK(pxos::first_difference(reference->state(), (*fast)->state()).value_or("") == "");
    fast_result = (*fast)->run(100);
    reference_result = reference->run(100);
    CHECK(fast_result.reason == pxos::StopReason::Halted);
    CHECK(reference_result.reason == pxos::StopReason::Halted);
    CHECK(fast_result.steps == 6); // IN, NOP, IN, LI, IN, HALT
    CHECK((*fast)->registers(false)[2] == 'b');
    CHECK((*fast)->registers(false)[3] == 0xffffffffu);
    CHECK(fast_input.calls() == 5);
    CHECK(reference_input.calls() == 5);
    CHECK(pxos::first_difference(reference->state(), (*fast)->state()).value_or("") == "");
}

TEST_CASE("a StringConsoleInput source runs as set_input does", "[machine][console_input]")
{
    pxos::SimulatedVRAM image = snippet_image(std::string(kThreeReads) + "\nOUT r1, PORT_CONSOLE_OUT\nOUT r3, PORT_CONSOLE_OUT");
    auto by_string = pxos::Machine::boot(image, "input.png");
    auto by_source = pxos::Machine::boot(image, "input.png");
    REQUIRE((by_string.ok() && by_source.ok()));
    (*by_string)->set_input("xyz!");
    pxos::StringConsoleInput source("xyz!");
    (*by_source)->set_input_source(&source);
    (*by_string)->run(100);
    (*by_source)->run(100);
    CHECK((*by_source)->console_output() == "xz");
    CHECK(pxos::first_difference((*by_string)->state(), (*by_source)->state()).value_or("") == "");
    CHECK(source.next_byte() == '!'); // the fourth byte was never asked for
    CHECK(source.next_byte() == pxos::ConsoleInput::kEnd);
}
