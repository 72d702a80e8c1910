#include "pxos/vm/reference.hpp"
#include "pxos/vm/state.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

TEST_CASE("first_difference names the register, special or control field that differs", "[state]")
{
    pxos::MachineState expected, actual;
    CHECK(expected == actual);
    CHECK_FALSE(pxos::first_difference(expected, actual).has_value());

    actual.kernel_registers[3] = 7;
    expected.kernel_registers[3] = 5;
    CHECK_FALSE(expected == actual);
    CHECK(pxos::first_difference(expected, actual).value() == "r3 of the kernel bank: 5 vs 7");

    actual.user_registers[15] = 1;
    actual.specials[std::size_t(pxos::isa::Special::Epc)] = 9;
    CHECK(pxos::first_difference(expected, actual).value() == "r3 of the kernel bank: 5 vs 7");
    actual.kernel_registers = expected.kernel_registers;
    CHECK(pxos::first_difference(expected, actual).value() == "r15 of the user bank: 0 vs 1");
    actual.user_registers = expected.user_registers;
    CHECK(pxos::first_difference(expected, actual).value() == "EPC: 0 vs 9");

    // The pc and mode come before the registers: they say where two runs parted.
    actual.pc = 4100;
    CHECK(pxos::first_difference(expected, actual).value() == "pc: 0 vs 4100");
    actual.user_mode = true;
    CHECK(pxos::first_difference(expected, actual).value() == "mode: kernel vs user");
    actual = expected;
    actual.slice_end = 1000;
    CHECK(pxos::first_difference(expected, actual).value() == "time slice end: step 0 vs step 1000");
    actual = expected;
    actual.console_bytes = 2;
    CHECK(pxos::first_difference(expected, actual).value() == "console output written: 0 bytes vs 2 bytes");
}

TEST_CASE("first_difference names the first pixel that differs, row by row", "[state]")
{
    auto expected = pxos::SimulatedVRAM::create(32, 24).value();
    auto actual = expected;
    CHECK_FALSE(pxos::first_difference(expected, actual).has_value());
    REQUIRE(actual.write_pixel(10, 20, pxos::RGBA { 1, 2, 4, 255 }).ok());
    REQUIRE(actual.write_pixel(30, 21, pxos::RGBA { 9, 9, 9, 9 }).ok());
    REQUIRE(expected.write_pixel(10, 20, pxos::RGBA { 1, 2, 3, 255 }).ok());
    CHECK(pxos::first_difference(expected, actual).value() == "pixel (10,20): (1,2,3,255) vs (1,2,4,255)");
    CHECK(pxos::first_difference(expected, pxos::SimulatedVRAM::create(24, 32).value()).value()
        == "size: 32x24 vs 24x32");
}

TEST_CASE("the fast machine's state snapshot is what its accessors say", "[state]")
{
    auto run = pxos::test::run_snippet("LI r3, 5\nMTS r3, QUANTUM\nLI r4, 1\nUSET r4, r3\n");
    pxos::MachineState state = run.machine->state();
    CHECK(state.halted);
    CHECK_FALSE(state.user_mode);
    CHECK(state.steps == run.result.steps);
    CHECK(state.pc == run.machine->pc());
    CHECK(state.kernel_registers == run.machine->registers(false));
    CHECK(state.kernel_registers[3] == 5);
    CHECK(state.user_registers[1] == 5);
    CHECK(state.specials[std::size_t(pxos::isa::Special::Quantum)] == 5);
}
