#include "pxos/base/executor.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

TEST_CASE("the serial executor runs every task once, in order, on the calling thread", "[executor]")
{
    pxos::SerialExecutor serial;
    CHECK(serial.concurrency() == 1);
    std::vector<std::size_t> order;
    serial.run_all(5, 3, [&order](std::size_t i) { order.push_back(i); });
    CHECK(order == std::vector<std::size_t> { 0, 1, 2, 3, 4 });
    serial.run_all(0, 1, [&order](std::size_t i) { order.push_back(i); });
    CHECK(order.size() == 5);
}

TEST_CASE("the serial executor runs every task though some throw, then rethrows the first failure", "[executor]")
{
    pxos::SerialExecutor serial;
    std::vector<std::size_t> ran;
    try {
        serial.run_all(4, 4, [&ran](std::size_t i) {
            ran.push_back(i);
            if (i == 1 || i == 3)
                throw std::runtime_error("task " + std::to_string(i) + " failed");
        });
        FAIL("run_all did not rethrow");
    } catch (const std::runtime_error& error) {
        CHECK(std::string(error.what()) == "task 1 failed");
    }
    CHECK(ran == std::vector<std::size_t> { 0, 1, 2, 3 });
}
